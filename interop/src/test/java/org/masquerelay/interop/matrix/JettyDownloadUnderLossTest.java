package org.masquerelay.interop.matrix;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.testpeers.LossyUdpPath;
import org.masquerelay.testpeers.TcpSourceServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A download to Jetty's HTTP/3 client through a path that loses a burst of packets, the way the interop matrix's S, L
 * and K cells stalled under load. Jetty's quiche acknowledges only when Jetty reads or writes a stream, so once it
 * holds data after a gap it stays silent; with Kwik's NewReno halving its window on the loss, the retransmission of the
 * burst waited behind packets in flight that only an acknowledgement would free, and every PTO probe repeated a packet
 * Jetty already had: the relay's send blocked until the 30 s idle timeout (docs/upstream.md, "retransmission
 * deadlock"). A 2 MB/s link with 20 ms of delay gives the relay a window in flight, spread out as on a loaded machine.
 * The exact interleaving still depends on timing: before the fix this failed 1 run in 6 here (Jetty on JNA), where the
 * matrix's L cell under CPU load failed 4 runs in 7. Runs on both engines: the relay must get the download through
 * whatever the client's acknowledgement habits.
 */
class JettyDownloadUnderLossTest {
    private static final long LENGTH = 4L * 1024 * 1024;
    /**
     * Lost: four server-to-client datagrams in a row, about 1.8 MB into the download, once the client's windows have
     * grown past the sender's congestion window; the one before them arrives after five later ones, so the client's
     * next acknowledgement (sent when it reads that one) reports the gap while the link still holds a window of
     * packets.
     */
    private static final long FIRST_LOST = 1500;
    private static final int LOST = 4;

    static TcpSourceServer source;

    @BeforeAll
    static void source() {
        source = new TcpSourceServer(InetAddress.getLoopbackAddress(), LENGTH, 0x9a9);
    }

    @AfterAll
    static void stopSource() {
        source.close();
    }

    @ParameterizedTest
    @EnumSource(QuicEngine.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBurstOfLossDoesNotStopTheDownload(QuicEngine engine, @TempDir Path dir) throws Exception {
        assumeTrue(JettyClientPeer.nativeProblem() == null, "Jetty's quiche does not load here");
        try (InteropEnv env = new InteropEnv(Files.createDirectories(dir.resolve("env")), engine);
             RelayServer relay = env.startOurRelay();
             LossyUdpPath path = new LossyUdpPath(relay.addresses().get(0), Duration.ofMillis(20), 2_000_000,
                     i -> i >= FIRST_LOST && i < FIRST_LOST + LOST, FIRST_LOST - 1, LOST + 5)) {
            ServerUnderTest target = new ServerUnderTest("relay-server", new InetSocketAddress(path.address().getAddress(),
                    path.address().getPort()), env.root(), env.caPem, InteropEnv.AUTH_HEADER);
            try (JettyClientPeer.Client client = new JettyClientPeer.Client(target, dir.resolve("jetty"))) {
                JettyClientPeer.Tunnel down = client.connect(source.authority(), InteropEnv.AUTH_HEADER, null);
                assertEquals(200, down.awaitResponse().getStatus());
                // Bounded well below Jetty's 30 s idle timeout: a stall must fail here, not end in a timeout there.
                Transfers.Digest got = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Transfers.drain(down.in());
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }, Thread::startVirtualThread).get(20, TimeUnit.SECONDS);
                assertEquals(LOST, path.dropped(), "the path lost the burst it was meant to");
                assertEquals(LENGTH, got.bytes());
                assertEquals(source.sha256(), got.sha256());
            }
        }
    }
}
