package org.masquerelay.server;

import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.PeerException;
import org.masquerelay.testpeers.Tunnel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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

    /** Forwards one client's datagrams to the relay and the relay's back, remembering the first byte of each reply. */
    private static final class Tap implements AutoCloseable {
        final DatagramSocket front = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        final DatagramSocket back = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        final List<Integer> replyTypes = new CopyOnWriteArrayList<>();
        final CountDownLatch clientSent = new CountDownLatch(1);
        volatile InetSocketAddress client;

        Tap(InetSocketAddress relay, boolean forwardReplies) throws Exception {
            Thread.ofVirtual().start(() -> pump(front, relay, true));
            if (forwardReplies) {
                Thread.ofVirtual().start(() -> pump(back, null, false));
            }
        }

        private void pump(DatagramSocket from, InetSocketAddress relay, boolean fromClient) {
            byte[] buffer = new byte[2048];
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    from.receive(p);
                    if (fromClient) {
                        client = (InetSocketAddress) p.getSocketAddress();
                        back.send(new DatagramPacket(p.getData(), p.getLength(), relay));
                        clientSent.countDown();
                    } else {
                        replyTypes.add(p.getData()[0] & 0xff);
                        front.send(new DatagramPacket(p.getData(), p.getLength(), client));
                    }
                }
            } catch (Exception closed) {
                // the tap is closed
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) front.getLocalSocketAddress();
        }

        /** RFC 9000 §17.2.5: a long header (0x80), fixed bit (0x40), type Retry (0x30) in QUIC version 1. */
        boolean sawRetry() {
            return replyTypes.stream().anyMatch(b -> (b & 0xf0) == 0xf0);
        }

        @Override
        public void close() {
            front.close();
            back.close();
        }
    }

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

        try (Tap quiet = new Tap(relay.address(), true)) {
            assertServedThrough(quiet.address());
            assertFalse(quiet.sawRetry(), "no handshake in flight: no Retry");
        }

        // A client that never hears back holds a handshake in flight (until the relay's handshake timeout).
        try (Tap blackHole = new Tap(relay.address(), false); Tap busy = new Tap(relay.address(), true)) {
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
