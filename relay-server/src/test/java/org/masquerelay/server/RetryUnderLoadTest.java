package org.masquerelay.server;

import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.PeerException;
import org.masquerelay.testpeers.Tunnel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.server.RelayFixture.T;

/**
 * Issue 13 §4: a QUIC Retry once handshakes in flight pass a threshold (quiche engine; Kwik can only retry every
 * client or none). With none in flight a client connects at once; with one held open by a client whose packets the
 * relay never hears back from, the next client is sent a Retry first — and is served after it.
 */
class RetryUnderLoadTest extends RelayTestBase {

    private void assertServedThrough(InetSocketAddress address) {
        NettyH3Client tapped = NettyH3Client.connect(address, NettyH3Client.Options.defaults()
                .trusting(relay.caCertificate()));
        try {
            Tunnel tunnel = tapped.openTcp("127.0.0.1:" + echo.port(), Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(T).status());
            byte[] bytes = "after a retry".getBytes(StandardCharsets.US_ASCII);
            tunnel.write(bytes);
            assertArrayEquals(bytes, tunnel.readBytes(bytes.length, T));
        } finally {
            tapped.close();
        }
    }

    @Test
    void aRetryOnlyOnceHandshakesPileUp() throws Exception {
        Assumptions.assumeTrue(RelayFixture.ENGINE == QuicEngine.QUICHE, "Retry under load is the quiche engine's");
        client(s -> s.clientLimits(ClientLimits.defaults().withRetryAboveHandshakes(1))).close();

        try (UdpTap quiet = new UdpTap(relay.address(), true)) {
            assertServedThrough(quiet.address());
            assertFalse(quiet.sawRetry(), "no handshake in flight: no Retry");
        }

        // A client that never hears back holds a handshake in flight (until the relay's handshake timeout).
        try (UdpTap blackHole = new UdpTap(relay.address(), false); UdpTap busy = new UdpTap(relay.address(), true)) {
            Thread.ofVirtual().start(() -> {
                try {
                    NettyH3Client.connect(blackHole.address(), NettyH3Client.Options.defaults()).close();
                } catch (PeerException expected) {
                    // it never completes
                }
            });
            assertTrue(blackHole.clientSent.await(T.toMillis(), TimeUnit.MILLISECONDS));
            // The relay may read the held client's Initial after the next client's: try until a Retry shows.
            for (int attempt = 1; !busy.sawRetry(); attempt++) {
                assertServedThrough(busy.address());
                assertTrue(attempt < 10, "no Retry with a handshake in flight");
            }
        }
    }
}
