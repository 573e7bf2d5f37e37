package org.masquerelay.server;

import java.util.concurrent.Semaphore;

/**
 * The relay-wide cap on open tunnels ({@code limits.max-tunnels}, or derived from the heap and the open-file limit):
 * every tunnel holds a socket, so without it one client's tunnels could take every descriptor and the next socket —
 * anyone's — would fail with "Too many open files".
 */
final class TunnelLimit {
    private final int max;
    private final Semaphore permits;

    TunnelLimit(int max) {
        this.max = max;
        this.permits = new Semaphore(max);
    }

    boolean tryAcquire() {
        return permits.tryAcquire();
    }

    void release() {
        permits.release();
    }

    int max() {
        return max;
    }

    int open() {
        return max - permits.availablePermits();
    }
}
