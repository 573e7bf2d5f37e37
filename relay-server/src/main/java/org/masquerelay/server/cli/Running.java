package org.masquerelay.server.cli;

import org.masquerelay.display.Addresses;
import org.masquerelay.server.RelayServer;

import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;

/** Keeps a started relay running until the process is asked to stop (Ctrl-C, SIGTERM), then closes it. */
final class Running {
    private Running() {}

    static void untilStopped(RelayServer server) {
        CountDownLatch stopped = new CountDownLatch(1);
        String where = String.join(", ", server.addresses().stream().map(Addresses::format).toList());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Logging.direct(Level.INFO, "shutting down: closing the listeners on " + where + " and every connection");
            long start = System.nanoTime();
            server.close();
            Logging.direct(Level.INFO, "stopped in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            stopped.countDown();
        }, "relay-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
