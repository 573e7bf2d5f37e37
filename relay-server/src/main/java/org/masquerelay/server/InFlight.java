package org.masquerelay.server;

/**
 * Requests being served right now, across every connection and listener (a tunnel is one request for its whole
 * life): what a graceful drain waits for. Waiting is event-driven: the last one out wakes the waiter.
 */
final class InFlight {
    private int count;

    synchronized void enter() {
        count++;
    }

    synchronized void exit() {
        if (--count == 0) {
            notifyAll();
        }
    }

    synchronized int count() {
        return count;
    }

    /** Waits until none is left or the deadline ({@link System#nanoTime()}) passes; how many are left. */
    synchronized int awaitNone(long deadlineNanos) throws InterruptedException {
        while (count > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return count;
    }
}
