package org.masquerelay.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.testpeers.TcpEchoServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relay going away behind a load balancer ({@link LoopbackBalancer}, real UDP sockets): the client's tunnels on it
 * end whole (drain) or fail with a reported error (a dead relay), and new tunnels go on a fresh connection, which the
 * balancer gives to the other relay. Each relay engine here; the client engine is the suite's (run once per engine).
 */
@Timeout(120)
class FailoverTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final int PART = 256 * 1024;
    @TempDir
    static Path state;
    static TcpEchoServer echo;

    @BeforeAll
    static void start() {
        echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
    }

    @AfterAll
    static void stop() {
        echo.close();
    }

    @ParameterizedTest
    @EnumSource(value = QuicEngine.class, names = {"KWIK", "QUICHE"})
    void aDrainingRelaysTunnelEndsWholeWhileNewTunnelsGoToAnotherRelay(QuicEngine engine) throws Exception {
        try (TestRelay draining = TestRelay.start(state, engine);
             TestRelay other = TestRelay.start(state, engine);
             LoopbackBalancer balancer = new LoopbackBalancer(draining.port);
             RelayClient client = client(balancer, draining, Duration.ofSeconds(30))) {
            byte[] payload = payload(2 * PART, 1);
            TcpTunnel old = client.openTcp("127.0.0.1", echo.port());
            // Keeps the drain from ending before the old tunnel is checked: a relay closes its connections once its
            // last tunnel ended, which may overtake that tunnel's last bytes (noted in docs/scaling.md).
            TcpTunnel keeper = client.openTcp("127.0.0.1", echo.port());
            keeper.awaitResponse();
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            old.outputStream().write(payload, 0, PART);
            readExactly(old.inputStream(), PART, echoed);
            CountDownLatch goAway = new CountDownLatch(1);
            client.onGoAway(goAway::countDown);

            balancer.newFlowsTo(other.port); // as the draining relay's /readyz 503 would have it
            CompletableFuture<RelayServer.DrainReport> drain = drain(draining);
            assertTrue(goAway.await(T.toSeconds(), TimeUnit.SECONDS), "the client saw the relay's GOAWAY");

            assertEchoes(client, payload(10_000, 2)); // a new tunnel, on a new connection: the other relay's
            assertEquals(2, client.connectionsMade(), "a second connection for the new tunnel");
            assertEquals(1, balancer.flowsTo(other.port), "the new connection went to the other relay");

            old.outputStream().write(payload, PART, PART); // the tunnel of the draining relay runs on
            old.shutdownOutput();
            readExactly(old.inputStream(), PART, echoed);
            assertEquals(-1, old.inputStream().read(), "the old tunnel ends cleanly");
            assertArrayEquals(payload, echoed.toByteArray(), "the old tunnel's bytes, whole and in order");
            old.close();
            end(keeper);
            RelayServer.DrainReport report = drain.get(T.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, report.tunnelsCut(), "the drain cut nothing: " + report);
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuicEngine.class, names = {"KWIK", "QUICHE"})
    void aRequestThatCrossedTheGoawayIsSentAgainOnANewConnection(QuicEngine engine) throws Exception {
        try (TestRelay draining = TestRelay.start(state, engine);
             TestRelay other = TestRelay.start(state, engine);
             LoopbackBalancer balancer = new LoopbackBalancer(draining.port);
             RelayClient client = client(balancer, draining, Duration.ofSeconds(30));
             DrainStarted started = new DrainStarted()) {
            byte[] payload = payload(2 * PART, 3);
            TcpTunnel old = client.openTcp("127.0.0.1", echo.port());
            // Keeps the drain from ending before the old tunnel is checked: a relay closes its connections once its
            // last tunnel ended, which may overtake that tunnel's last bytes (noted in docs/scaling.md).
            TcpTunnel keeper = client.openTcp("127.0.0.1", echo.port());
            keeper.awaitResponse();
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            old.outputStream().write(payload, 0, PART);
            readExactly(old.inputStream(), PART, echoed);

            // The GOAWAY is kept from the client while it opens one more tunnel on the old connection: the relay
            // rejects that request (H3_REQUEST_REJECTED, past its GOAWAY), and the client sends it again elsewhere.
            balancer.hold(draining.port);
            CompletableFuture<RelayServer.DrainReport> drain = drain(draining);
            started.await();
            balancer.newFlowsTo(other.port);
            byte[] hello = payload(3_000, 4);
            try (TcpTunnel crossed = client.openTcp("127.0.0.1", echo.port())) {
                crossed.outputStream().write(hello); // optimistic data: replayed with the request
                crossed.shutdownOutput();
                assertEquals(1, client.connectionsMade(), "opened on the old connection, GOAWAY not seen yet");
                balancer.release(draining.port);
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                readExactly(crossed.inputStream(), hello.length, back);
                assertArrayEquals(hello, back.toByteArray(), "the retried tunnel's echo");
            }
            assertEquals(2, client.connectionsMade(), "the rejected request went on a new connection");
            assertEquals(1, balancer.flowsTo(other.port), "... to the other relay");

            old.outputStream().write(payload, PART, PART);
            old.shutdownOutput();
            readExactly(old.inputStream(), PART, echoed);
            assertArrayEquals(payload, echoed.toByteArray(), "the old tunnel's bytes, whole and in order");
            old.close();
            end(keeper);
            assertEquals(0, drain.get(T.toSeconds(), TimeUnit.SECONDS).tunnelsCut());
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuicEngine.class, names = {"KWIK", "QUICHE"})
    void aDeadRelaysTunnelFailsVisiblyAndTheNextTunnelGoesToAnotherRelay(QuicEngine engine) throws Exception {
        try (TestRelay dead = TestRelay.start(state, engine);
             TestRelay other = TestRelay.start(state, engine);
             LoopbackBalancer balancer = new LoopbackBalancer(dead.port);
             RelayClient client = client(balancer, dead, Duration.ofSeconds(2))) {
            byte[] payload = payload(2 * PART, 5);
            TcpTunnel inFlight = client.openTcp("127.0.0.1", echo.port());
            inFlight.outputStream().write(payload, 0, PART);
            readExactly(inFlight.inputStream(), PART, new ByteArrayOutputStream());
            CountDownLatch closed = new CountDownLatch(1);
            client.onConnectionClosed(closed::countDown);

            balancer.blackhole(dead.port); // killed: nothing comes back, nothing gets there
            balancer.newFlowsTo(other.port);
            IOException lost = assertThrows(IOException.class, () -> {
                inFlight.outputStream().write(payload, PART, PART);
                inFlight.inputStream().readAllBytes();
            });
            assertInstanceOf(RelayException.class, lost, "a typed failure: " + lost);
            assertTrue(lost.getMessage().contains("connection to the relay"), "names the lost connection: " + lost.getMessage());
            inFlight.close();
            assertTrue(closed.await(T.toSeconds(), TimeUnit.SECONDS), "the dead connection ended (idle timeout)");

            int firstPort = inFlight.localAddress().getPort();
            assertEchoes(client, payload(10_000, 6));
            assertEquals(2, client.connectionsMade(), "the next tunnel made a new connection");
            assertTrue(client.localAddress().getPort() > 0 && client.localAddress().getPort() != firstPort,
                    "a new connection, a new local port: " + client.localAddress() + " after port " + firstPort);
            assertEquals(1, balancer.flowsTo(other.port), "... to the other relay");
        }
    }

    private static RelayClient client(LoopbackBalancer balancer, TestRelay relay, Duration idle) {
        return TestEngine.builder().relay(balancer.url()).trustCaFile(relay.ca).idleTimeout(idle)
                .requestTimeout(T).connectTimeout(T).build();
    }

    private static CompletableFuture<RelayServer.DrainReport> drain(TestRelay relay) {
        CompletableFuture<RelayServer.DrainReport> report = new CompletableFuture<>();
        Thread.ofVirtual().name("drain").start(() -> {
            try {
                report.complete(relay.server.drain(Duration.ofSeconds(60)));
            } catch (RuntimeException e) {
                report.completeExceptionally(e);
            }
        });
        return report;
    }

    /**
     * Ends the keeper as an application does: FIN, read to the relay's FIN, closed. Its last bytes are not checked: a
     * relay closes its connections as soon as the last tunnel ended, which can overtake them (docs/scaling.md).
     */
    private static void end(TcpTunnel tunnel) {
        try {
            tunnel.shutdownOutput();
            tunnel.inputStream().readAllBytes();
        } catch (IOException cutByTheClose) {
            // see above
        }
        tunnel.close();
    }

    private static void assertEchoes(RelayClient client, byte[] data) throws IOException {
        try (TcpTunnel t = client.openTcp("127.0.0.1", echo.port())) {
            t.outputStream().write(data);
            t.shutdownOutput();
            assertArrayEquals(data, t.inputStream().readAllBytes(), "a new tunnel's echo");
        }
    }

    private static void readExactly(InputStream in, int n, ByteArrayOutputStream into) throws IOException {
        byte[] bytes = in.readNBytes(n);
        into.write(bytes);
        assertEquals(n, bytes.length, "bytes before the end of the tunnel");
    }

    private static byte[] payload(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Waits for the relay's "draining:" log line, written once every connection's GOAWAY id is fixed. */
    private static final class DrainStarted extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger(RelayServer.class.getName());
        private final CountDownLatch seen = new CountDownLatch(1);
        private final java.util.logging.Level levelBefore = logger.getLevel();

        DrainStarted() {
            // The CLI tests in this JVM turn org.masquerelay down to WARNING (ClientLogging): the line is INFO.
            logger.setLevel(java.util.logging.Level.INFO);
            logger.addHandler(this);
        }

        void await() throws InterruptedException {
            assertTrue(seen.await(T.toSeconds(), TimeUnit.SECONDS), "the relay began its drain");
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getMessage() != null && record.getMessage().startsWith("draining:")) {
                seen.countDown();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setLevel(levelBefore);
        }
    }
}
