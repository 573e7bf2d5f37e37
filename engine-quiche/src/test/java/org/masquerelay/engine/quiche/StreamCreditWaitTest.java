package org.masquerelay.engine.quiche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.EngineSettings;
import org.masquerelay.testpeers.TestPki;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;

/**
 * A request waiting for stream credit must not hold up the event loop, which every quiche client connection of the
 * JVM shares. It used to ask the event loop for the peer's limit while holding the lock the event loop takes when the
 * limit changes (or the connection ends): both waited for each other until the opener's timeout, and every other
 * connection stalled with them (found by deploy/lab/fleet/run, when a relay was killed). The interleaving is forced
 * here: the event loop is held, a limit change is queued on it, then the opener queues its question behind it.
 */
class StreamCreditWaitTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void aLimitChangeWhileAnOpenerAsksTheEventLoopStallsNothing() throws Exception {
        TestPki pki = new TestPki("test CA");
        EngineSettings settings = EngineSettings.builder().identity(pki.serverIdentity(), "relay", TestPki.PASSWORD)
                .maxConnections(10).maxStreamsPerConnection(1).build();
        ConnectionHandler holdOpen = connection -> stream -> {
            try {
                stream.respond(HttpFields.builder().add(":status", "200").build());
                stream.body().readAllBytes(); // until the client ends it
                stream.finish();
            } catch (IOException e) {
                stream.reset(H3.H3_REQUEST_CANCELLED);
            }
        };
        try (QuicheServerEngine server = QuicheServerEngine.start(new InetSocketAddress("127.0.0.1", 0), settings,
                holdOpen)) {
            ClientEngineSettings client = ClientEngineSettings.builder().relay("127.0.0.1", server.localAddress()
                    .getPort()).insecure(true).connectTimeout(TIMEOUT).build();
            QuicheClientConnection connection = (QuicheClientConnection) new QuicheClientEngine().connect(client);
            try {
                ClientStream first = connection.openRequest(request());
                assertEquals("200", first.awaitResponse(TIMEOUT).getOrNull(":status")); // the one stream allowed
                EventLoop loop = connection.quic.eventLoop();
                CountDownLatch release = new CountDownLatch(1);
                loop.execute(() -> await(release));                // the event loop held...
                loop.execute(connection::streamLimitChanged);       // ...with a limit change queued on it
                CompletableFuture<Object> opener = CompletableFuture.supplyAsync(() -> {
                    try {
                        return connection.openRequest(request());
                    } catch (IOException e) {
                        return e;
                    }
                }, r -> Thread.ofVirtual().start(r));
                long until = System.nanoTime() + TIMEOUT.toNanos(); // the opener's question queued behind it
                while (((SingleThreadEventExecutor) loop).pendingTasks() < 2 && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                assertTrue(((SingleThreadEventExecutor) loop).pendingTasks() >= 2, "the opener asked the event loop");
                release.countDown();
                long start = System.nanoTime();
                loop.submit(() -> { }).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                long stalledMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(stalledMillis < 2_000, "the event loop stalled for " + stalledMillis + " ms");
                first.finish();                                       // the first stream ends both ways: its
                assertEquals(0, first.body().readAllBytes().length);  // credit comes back to the waiting opener
                Object opened = opener.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertTrue(opened instanceof ClientStream, "the waiting request opened: " + opened);
            } finally {
                connection.close(H3.H3_NO_ERROR, "test over");
            }
        }
    }

    private static HttpFields request() {
        return HttpFields.builder().add(":method", "CONNECT").add(":authority", "127.0.0.1:9").build();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
