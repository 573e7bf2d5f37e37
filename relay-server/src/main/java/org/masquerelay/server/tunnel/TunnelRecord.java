package org.masquerelay.server.tunnel;

import org.masquerelay.engine.TunnelMeter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Accounting of one tunnel for its log line: bytes each way, timing, and how it ended. "Up" is client to target.
 */
public final class TunnelRecord implements TunnelMeter {
    /** Who else hears of the bytes as they move (the metrics); "up" is client to target. */
    public interface Observer {
        Observer NONE = new Observer() {};

        default void up(long bytes) {}

        default void down(long bytes) {}

        default void datagramUp() {}

        default void datagramDown() {}

        /** A UDP payload dropped, with a reason from a closed set (too_large, not_sent, target_error, ...). */
        default void dropped(String reason) {}
    }

    private final Observer observer;
    private final long startNanos = System.nanoTime();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private final AtomicLong datagramsDropped = new AtomicLong();
    private volatile long lastActivityNanos = startNanos;
    private volatile String ending;

    public TunnelRecord() {
        this(Observer.NONE);
    }

    public TunnelRecord(Observer observer) {
        this.observer = observer;
    }

    @Override
    public void up(long n) {
        observer.up(n);
        bytesUp.addAndGet(n);
        lastActivityNanos = System.nanoTime();
    }

    @Override
    public void down(long n) {
        observer.down(n);
        bytesDown.addAndGet(n);
        lastActivityNanos = System.nanoTime();
    }

    /** One UDP payload of {@code n} bytes carried to the target. */
    public void datagramUp(long n) {
        up(n);
        observer.datagramUp();
    }

    /** One UDP payload of {@code n} bytes carried to the client. */
    public void datagramDown(long n) {
        down(n);
        observer.datagramDown();
    }

    /** One UDP payload dropped; {@code reason} from a closed set, for the metrics. */
    public void dropped(String reason) {
        datagramsDropped.incrementAndGet();
        observer.dropped(reason);
    }

    /** Nanoseconds since the tunnel opened. */
    public long ageNanos() {
        return System.nanoTime() - startNanos;
    }

    public long bytesUp() {
        return bytesUp.get();
    }

    public long bytesDown() {
        return bytesDown.get();
    }

    public long datagramsDropped() {
        return datagramsDropped.get();
    }

    public long idleNanos() {
        return System.nanoTime() - lastActivityNanos;
    }

    public long ageMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public void ended(String how) {
        if (ending == null) {
            synchronized (this) {
                if (ending == null) {
                    ending = how;
                }
            }
        }
    }

    /**
     * The client's connection ended while the tunnel was open: that is how the tunnel ended, whatever its splice saw
     * (kept after it, for the detail).
     */
    public synchronized void connectionEnded(String reason) {
        ending = "client connection ended: " + reason + (ending == null ? "" : " (" + ending + ")");
    }

    public String ending() {
        return ending == null ? "closed" : ending;
    }

    @Override
    public String toString() {
        String s = "up " + bytesUp + " B, down " + bytesDown + " B, " + ageMillis() + " ms, " + ending();
        return datagramsDropped.get() > 0 ? s + ", " + datagramsDropped + " datagrams dropped" : s;
    }
}
