package org.masquerelay.engine;

/**
 * A token bucket: {@code perSecond} tokens a second, holding at most {@code burst}; each admitted event takes one.
 * How the relay bounds how fast one client may open connections or one connection may open tunnels, while letting
 * the burst of a client that starts up through.
 */
public final class TokenBucket {
    private final double tokensPerNano;
    private final double burst;
    private double tokens;
    private long last;

    /** @param perSecond refill rate (0: unlimited, every event admitted) */
    public TokenBucket(int perSecond, int burst) {
        if (perSecond < 0 || (perSecond > 0 && burst <= 0)) {
            throw new IllegalArgumentException("rate " + perSecond + "/s, burst " + burst);
        }
        this.tokensPerNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** Takes a token when there is one. */
    public synchronized boolean tryTake() {
        if (tokensPerNano == 0) {
            return true;
        }
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * tokensPerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Whether the bucket is full again, i.e. remembering it is no longer needed. */
    public synchronized boolean isFull() {
        if (tokensPerNano == 0) {
            return true;
        }
        return Math.min(burst, tokens + (System.nanoTime() - last) * tokensPerNano) >= burst;
    }
}
