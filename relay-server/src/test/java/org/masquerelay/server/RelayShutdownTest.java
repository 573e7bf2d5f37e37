package org.masquerelay.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.masquerelay.testpeers.TcpSourceServer;

import java.net.InetAddress;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.Tunnel;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing the relay tells every client at once (CONNECTION_CLOSE with H3_NO_ERROR), even in the middle of a tunnel:
 * a client that is not told waits out its idle timeout (30 s) before it opens its tunnels elsewhere. Netty's client
 * ignores ICMP port-unreachable, so only the close frame itself can tell it.
 */
class RelayShutdownTest extends RelayTestBase {
    private final TcpSourceServer source = new TcpSourceServer(InetAddress.getLoopbackAddress(), 64L << 20);

    @AfterEach
    void stopSource() {
        source.close();
    }

    @Test
    void closingTheRelaySendsConnectionCloseToItsClients() throws Exception {
        for (int round = 0; round < 5; round++) {
            NettyH3Client client = client(s -> s);
            // Mid-download: the relay has data in flight and more queued when it closes.
            Tunnel tunnel = client.openTcp("127.0.0.1:" + source.port(), Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(RelayFixture.T).status());
            tunnel.readBytes(256 * 1024, RelayFixture.T);
            var rest = java.util.concurrent.CompletableFuture.runAsync(() -> tunnel.readToEnd(Duration.ofSeconds(30)), Thread::startVirtualThread);
            relay.close();
            try {
                rest.get(10, java.util.concurrent.TimeUnit.SECONDS);
                throw new AssertionError("round " + round + ": the download ended cleanly after the relay closed");
            } catch (java.util.concurrent.ExecutionException expected) {
                // the reader saw the failure
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (client.isOpen() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the client's state is polled: it has no close callback to wait on
            }
            assertTrue(!client.isOpen(), "round " + round + ": the client heard the relay's CONNECTION_CLOSE within 3 s");
            Optional<NettyH3Client.ConnectionClose> close = client.connectionClose();
            close.ifPresent(c -> assertEquals(0x100, c.error(), "H3_NO_ERROR"));
            relay = null;
        }
    }
}
