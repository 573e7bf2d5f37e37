package org.masquerelay.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A thread that dies of an uncaught exception is counted and logged in one line. */
class ThreadDeathsTest {
    @Test
    void aDeadThreadIsCountedAndLogged() throws Exception {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        try (CapturedLog log = new CapturedLog(ThreadDeaths.class.getName())) {
            ThreadDeaths.install();
            long before = ThreadDeaths.count();
            Thread dying = Thread.ofPlatform().name("sender-test").start(() -> {
                throw new NullPointerException("frame is null");
            });
            dying.join();
            assertEquals(before + 1, ThreadDeaths.count());
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("thread sender-test died of")
                    && l.contains("frame is null")), log.lines().toString());
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }
}
