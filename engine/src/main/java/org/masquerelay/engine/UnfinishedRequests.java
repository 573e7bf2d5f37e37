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
    /** How long a request over its connection's share may take to arrive whole (it is held in memory meanwhile). */
    static final Duration OVER_SHARE_GRACE = Duration.ofSeconds(1);

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
            // Over this connection's share the request is not refused at once: a burst of whole requests (a page
            // opening 64 tunnels at once) has its streams counted before their readers ran, though every header
            // section is already here. It gets a short grace instead, and the 429 only if it is still unfinished then.
            boolean overShare = mine.incrementAndGet() > perConnection;
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
            Pending pending = overShare
                    ? new Pending(this, 429, "this connection already has " + perConnection + " requests whose header section has not arrived")
                    : new Pending(this, 408, "request header section not complete within " + seconds(headerTimeout));
            pending.timer = TIMER.schedule(() -> {
                if (pending.timedOut.compareAndSet(false, true)) {
                    onTimeout.run();
                }
            }, (overShare ? OVER_SHARE_GRACE : headerTimeout).toNanos(), TimeUnit.NANOSECONDS);
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

        /** Being read: if its timer fires first it is answered {@code status} with {@code reason}. */
        private Pending(Connection owner, int status, String reason) {
            this.owner = owner;
            this.refusalStatus = status;
            this.refusal = reason;
        }

        /** Refused unread. */
        private Pending(int refusalStatus, String refusal) {
            this.owner = null;
            this.refusalStatus = refusalStatus;
            this.refusal = refusal;
            done.set(true);
        }

        /** Whether the request must be refused unread: the relay holds too many unfinished already. */
        public boolean refused() {
            return owner == null;
        }

        /**
         * The answer to a refused request, or to one whose timer fired first: 408 (its header section took too
         * long), 429 (this connection's share, after a short grace) or 503 (the relay's limit).
         */
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

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("request-header-timer").factory());
        // Nearly every timer is cancelled (the header arrived): do not keep thousands of them until they would fire.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
