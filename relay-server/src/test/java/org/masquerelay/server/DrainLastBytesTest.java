package org.masquerelay.server;

import org.junit.jupiter.api.Test;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.Tunnel;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A drain whose last tunnel ends closes the connections only after that tunnel's last bytes and FIN have reached the
 * client. Written the way the bug happened (issue 14's failover work: a quiche client lost the tail of the last tunnel
 * of a draining relay): the target sends its rest and FIN while the client has already ended its side, so the tunnel
 * ends on the relay while its last bytes may still be on their way, and the drain then closes at once.
 */
class DrainLastBytesTest extends RelayTestBase {
    private static final Duration T = Duration.ofSeconds(30);
    private static final int ROUNDS = 12;

    @Test
    void theLastTunnelsTailArrivesBeforeTheDrainCloses() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            try (HeldSource source = new HeldSource(2 << 20, 64 * 1024)) {
                NettyH3Client client = client(UnaryOperator.identity());
                Tunnel tunnel = client.openTcp(source.authority(), Map.of(), null);
                assertEquals(200, tunnel.awaitResponse(T).status());
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                received.write(tunnel.readBytes(source.firstPart(), T));

                CompletableFuture<RelayServer.DrainReport> drain = CompletableFuture.supplyAsync(() -> relay.server().drain(T));
                tunnel.shutdownOutput();
                source.release();
                received.write(tunnel.readToEnd(T));
                assertArrayEquals(source.content(), received.toByteArray(), "round " + round + ": the whole download, then the FIN");
                client.close(); // as a client told by GOAWAY does once done: the drain ends without its 2 s wait
                assertEquals(0, drain.get(T.toSeconds(), TimeUnit.SECONDS).tunnelsCut(), "round " + round + ": nothing cut");
            } finally {
                relay.close();
                relay = null;
            }
        }
    }
}
