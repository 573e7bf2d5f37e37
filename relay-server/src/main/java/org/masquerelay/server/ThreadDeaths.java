package org.masquerelay.server;

import java.util.concurrent.atomic.AtomicLong;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.ERROR;

/**
 * Threads that die of an exception nobody caught, counted and logged in one line (the stack trace at debug level)
 * instead of a bare stack trace on stderr. Kwik's sender once died of a NullPointerException at an idle timeout
 * ({@code FixedFrameSendRequest.getEstimatedSize}) and left its connection's threads behind (issue 15 §4): that is a
 * defect of Kwik's we cannot catch inside its thread, but an operator sees it and {@link #count()} counts it. Installed
 * by the relay's command line, never by the library.
 */
public final class ThreadDeaths {
    private static final System.Logger LOG = System.getLogger(ThreadDeaths.class.getName());
    private static final AtomicLong COUNT = new AtomicLong();

    private ThreadDeaths() {}

    /** Becomes the JVM's default handler of uncaught exceptions. */
    public static void install() {
        Thread.setDefaultUncaughtExceptionHandler(ThreadDeaths::died);
    }

    /** Threads that died of an uncaught exception since start-up. */
    public static long count() {
        return COUNT.get();
    }

    static void died(Thread thread, Throwable failure) {
        long n = COUNT.incrementAndGet();
        StackTraceElement[] frames = failure.getStackTrace();
        LOG.log(ERROR, "thread {0} died of {1}{2} ({3} since start-up)", thread.getName(), failure,
                frames.length == 0 ? "" : " at " + frames[0], n);
        LOG.log(DEBUG, "thread " + thread.getName() + " died", failure);
    }
}
