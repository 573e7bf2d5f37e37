package org.masquerelay.server;

import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.Tunnel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.server.RelayFixture.T;

/**
 * Issue 15 §4: a quiet tunnel died at the 30 s QUIC idle timeout although {@code timeouts.idle} said 5 minutes, and
 * the log blamed the stream ("client ended the stream", "target reset: write failed: null"). Here the QUIC idle
 * timeout is 1.5 s: a connection with a tunnel open outlives several of them, and a client that vanishes ends its
 * tunnels with the connection's own reason in the log.
 */
class IdleTunnelTest extends RelayTestBase {
    private static final Duration QUIC_IDLE = Duration.ofMillis(1500);

    private NettyH3Client start() throws Exception {
        return client(s -> s.engineSettings(e -> e.idleTimeout(QUIC_IDLE))
                .tunnel(t -> t.idleTimeout(Duration.ofMinutes(1))));
    }

    private void assertEchoes(Tunnel tunnel, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        tunnel.write(bytes);
        assertArrayEquals(bytes, tunnel.readBytes(bytes.length, T));
    }

    @Test
    void aConnectionWithAQuietTunnelOutlivesTheQuicIdleTimeout() throws Exception {
        NettyH3Client client = start();
        Tunnel tunnel = client.openTcp("127.0.0.1:" + echo.port(), Map.of(), null);
        assertEquals(200, tunnel.awaitResponse(T).status());
        assertEchoes(tunnel, "before");
        // Four idle periods of silence from both ends: without keep-alives the connection would end in the first.
        boolean closed = client.quicChannel().closeFuture().await(4 * QUIC_IDLE.toMillis());
        assertFalse(closed, "the connection ended with its tunnel open: " + client.connectionClose());
        assertEchoes(tunnel, "after");
    }

    @Test
    void aVanishedClientsTunnelEndsWithTheConnectionsReason() throws Exception {
        start().close();
        try (CapturedLog log = new CapturedLog("org.masquerelay.tunnel");
             UdpTap tap = new UdpTap(relay.address(), true)) {
            NettyH3Client client = NettyH3Client.connect(tap.address(),
                    NettyH3Client.Options.defaults().trusting(relay.caCertificate()));
            try {
                Tunnel tunnel = client.openTcp("127.0.0.1:" + echo.port(), Map.of(), null);
                assertEquals(200, tunnel.awaitResponse(T).status());
                assertEchoes(tunnel, "before it vanishes");
                tap.close(); // not a packet more either way

                long deadline = System.nanoTime() + T.toNanos();
                String closedLine = null;
                while (closedLine == null && System.nanoTime() < deadline) {
                    closedLine = log.lines().stream().filter(l -> l.contains(" closed: ")).findFirst().orElse(null);
                    if (closedLine == null) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // polling the log, bounded
                    }
                }
                assertTrue(closedLine != null, "no tunnel end logged: " + log.lines());
                assertTrue(closedLine.contains("client connection ended"), closedLine);
                assertTrue(closedLine.toLowerCase(java.util.Locale.ROOT).contains("idle"), closedLine);
            } finally {
                client.close();
            }
        }
    }
}
