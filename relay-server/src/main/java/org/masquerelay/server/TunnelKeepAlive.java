package org.masquerelay.server;

import org.masquerelay.engine.HttpConnection;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Keeps a connection that carries open tunnels from ending at its QUIC idle timeout (30 s by default) while its
 * tunnels' own idle timeout ({@code timeouts.idle}, 5 min) has not passed: a quiet SSH session through the relay
 * used to die after 30 s. Three times per QUIC idle period, a connection with a tunnel open sends an ack-eliciting
 * frame the client ignores ({@link HttpConnection#keepAlive}); one without tunnels is left to idle out as before. A
 * client that has gone away does not acknowledge, so its connection still ends at the idle timeout.
 */
final class TunnelKeepAlive {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private TunnelKeepAlive() {}

    static void start(HttpConnection connection, Duration quicIdleTimeout, IntSupplier openTunnels) {
        long period = Math.max(200, quicIdleTimeout.toMillis() / 3);
        ScheduledFuture<?> task = TIMER.scheduleAtFixedRate(() -> {
            if (openTunnels.getAsInt() > 0 && connection.isOpen()) {
                // Off the timer thread: an engine's stream write may wait for flow-control credit.
                Thread.ofVirtual().name("keep-alive").start(connection::keepAlive);
            }
        }, period, period, TimeUnit.MILLISECONDS);
        connection.onClose(reason -> task.cancel(false));
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("tunnel-keep-alive").factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
