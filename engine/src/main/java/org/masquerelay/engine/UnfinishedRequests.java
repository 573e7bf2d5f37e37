package org.masquerelay.engine;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Request streams whose header section has not arrived yet, relay-wide. Each holds up to a header section's worth of
 * memory while the client decides when to finish it, so a client that opens streams and never completes them could
 * hold the heap: the relay bounds how many there are per connection and in total, and how long each may take.
 * Every engine shares one instance across its listeners; {@link #forConnection()} gives each connection its count.
 *
 * @see org.masquerelay.engine.h3 the request dispatch that uses it
 */
public final class UnfinishedRequests {
    /** One timer thread for the whole process: it only stops the reading of streams that took too long. */
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Duration headerTimeout;
    private final int perConnection;
    private final int total;
    private final AtomicInteger open = new AtomicInteger();

    /**
     * @param headerTimeout how long a request stream may take to deliver its whole header section
     * @param perConnection unfinished requests one connection may have
     * @param total         unfinished requests in the whole relay
     */
    public UnfinishedRequests(Duration headerTimeout, int perConnection, int total) {
        if (headerTimeout.isNegative() || headerTimeout.isZero() || perConnection <= 0 || total <= 0) {
            throw new IllegalArgumentException("header timeout and limits must be positive");
        }
        this.headerTimeout = headerTimeout;
        this.perConnection = perConnection;
        this.total = total;
    }

    /** 10 s to send a header section, 32 unfinished per connection, 4,096 in all (about 80 MB at 16 KB each). */
    public static UnfinishedRequests defaults() {
        return new UnfinishedRequests(Duration.ofSeconds(10), 32, 4096);
    }

    public Duration headerTimeout() {
        return headerTimeout;
    }

    public int perConnection() {
        return perConnection;
    }

    public int total() {
        return total;
    }

    /** Unfinished requests right now, relay-wide. */
    public int open() {
        return open.get();
    }

    public Connection forConnection() {
        return new Connection();
    }

    /** The unfinished requests of one connection. */
    public final class Connection {
        private final AtomicInteger mine = new AtomicInteger();

        public Duration headerTimeout() {
            return headerTimeout;
        }

        /**
         * A request stream has opened and its header section is about to be read. On a refusal the stream must be
         * answered without reading it; otherwise {@code onTimeout} runs (on the timer thread) when the header section
         * has not arrived within the timeout, and {@link Pending#done()} must be called once it has, or the read failed.
         */
        public Pending start(Runnable onTimeout) {
            if (mine.incrementAndGet() > perConnection) {
                mine.decrementAndGet();
                return new Pending(429, "this connection already has " + perConnection
                        + " requests whose header section has not arrived");
            }
            // The last quarter is kept for connections with no other unfinished request, which is every normal
            // client (a request arrives whole in a packet or two): one client that fills the rest does not lock
            // everyone else out until its requests time out.
            int now = open.incrementAndGet();
            if (now > total || (now > total - total / 4 && mine.get() > 1)) {
                open.decrementAndGet();
                mine.decrementAndGet();
                return new Pending(503, "the relay already holds " + (now - 1)
                        + " requests whose header section has not arrived");
            }
            Pending pending = new Pending(this);
            pending.timer = TIMER.schedule(() -> {
                if (pending.timedOut.compareAndSet(false, true)) {
                    onTimeout.run();
                }
            }, headerTimeout.toNanos(), TimeUnit.NANOSECONDS);
            return pending;
        }

        private void release() {
            mine.decrementAndGet();
            open.decrementAndGet();
        }
    }

    /** One request being read, or a refusal to read it. */
    public static final class Pending {
        private final Connection owner;
        private final int refusalStatus;
        private final String refusal;
        private final AtomicBoolean timedOut = new AtomicBoolean();
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> timer;

        private Pending(Connection owner) {
            this.owner = owner;
            this.refusalStatus = 0;
            this.refusal = null;
        }

        private Pending(int refusalStatus, String refusal) {
            this.owner = null;
            this.refusalStatus = refusalStatus;
            this.refusal = refusal;
            done.set(true);
        }

        /** Whether the request must be refused unread: too many unfinished already. */
        public boolean refused() {
            return refusal != null;
        }

        /** 429 (this connection's limit) or 503 (the relay's). */
        public int refusalStatus() {
            return refusalStatus;
        }

        public String refusal() {
            return refusal;
        }

        /**
         * The header section has arrived or the read ended (call once); true when the timeout fired first (its
         * reading was stopped, and the read's failure is that).
         */
        public boolean done() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            owner.release();
            // Claim the timeout so that it cannot fire after the request was read.
            return !timedOut.compareAndSet(false, true);
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("request-header-timer").factory());
        // Nearly every timer is cancelled (the header arrived): do not keep thousands of them until they would fire.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
