package org.masquerelay.server.cli;

import org.masquerelay.server.RelayServer;

import java.util.concurrent.CountDownLatch;

/** Keeps a started relay running until the process is asked to stop (Ctrl-C, SIGTERM), then closes it. */
final class Running {
    private Running() {}

    static void untilStopped(RelayServer server) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "relay-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
