package org.masquerelay.server.cli;

import org.masquerelay.display.Addresses;
import org.masquerelay.server.RelayServer;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

/**
 * Keeps a started relay running until it is asked to stop. The first SIGTERM or SIGINT (Ctrl-C) drains it
 * ({@link RelayServer#drain}: no new connections, GOAWAY, open tunnels run on up to the drain timeout) and then the
 * process exits 0 by itself; a second one while draining closes everything at once.
 */
final class Running {
    private Running() {}

    static void untilStopped(RelayServer server, Duration drainTimeout) {
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<Thread> drainer = new AtomicReference<>();
        boolean handled = true;
        for (String name : new String[] {"TERM", "INT"}) {
            handled &= Signals.handle(name, signal -> {
                Thread drain = Thread.ofPlatform().name("relay-drain").unstarted(() -> {
                    server.drain(drainTimeout);
                    stopped.countDown();
                });
                if (drainer.compareAndSet(null, drain)) {
                    Logging.direct(Level.INFO, "SIG" + signal + ": draining (a second SIGTERM or SIGINT stops at once)");
                    drain.start();
                } else {
                    Logging.direct(Level.INFO, "SIG" + signal + " again: closing every connection now");
                    drainer.get().interrupt(); // the drain stops waiting and closes everything
                }
            });
        }
        if (!handled) {
            // No signal handling on this JVM (-Xrs, or a platform without these signals): close when it exits.
            String where = String.join(", ", server.addresses().stream().map(Addresses::format).toList());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Logging.direct(Level.INFO, "shutting down: closing the listeners on " + where + " and every connection");
                server.close();
                stopped.countDown();
            }, "relay-shutdown"));
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        Logging.direct(Level.INFO, "stopped");
    }
}
