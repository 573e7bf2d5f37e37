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

    /**
     * @param admin  the admin listener, closed last (it answers 503 on /readyz during the drain); null if none
     * @param reload what SIGHUP does (on a thread of its own; it must never end the process)
     * @param banner prints "... Stop with Ctrl-C.": run once the signals are handled, so that a SIGTERM sent as soon
     *               as it appears drains the relay (before, the JVM's default ended it without a drain or a word)
     */
    static void untilStopped(RelayServer server, Duration drainTimeout, AutoCloseable admin, Runnable reload,
                             Runnable banner) {
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<Thread> drainer = new AtomicReference<>();
        long[] stopAsked = {0};
        boolean handled = true;
        for (String name : new String[] {"TERM", "INT"}) {
            Signals.Outcome outcome = Signals.handle(name, signal -> {
                Thread drain = Thread.ofPlatform().name("relay-drain").unstarted(() -> {
                    server.drain(drainTimeout);
                    stopped.countDown();
                });
                if (drainer.compareAndSet(null, drain)) {
                    stopAsked[0] = System.nanoTime();
                    Logging.direct(Level.INFO, "SIG" + signal + ": draining (a second SIGTERM or SIGINT stops at once)");
                    drain.start();
                } else {
                    Logging.direct(Level.INFO, "SIG" + signal + " again: closing every connection now");
                    drainer.get().interrupt(); // the drain stops waiting and closes everything
                }
            });
            handled &= outcome != Signals.Outcome.UNAVAILABLE;
            // A shell without job control starts its '&' jobs with SIGINT ignored, by design (Ctrl-C is for what
            // runs in the foreground): only an ignored SIGTERM is a surprise worth a line.
            if (name.equals("TERM")) {
                warnIfIgnored(name, outcome, "it will not drain and stop the relay");
            }
        }
        // SIGHUP's default is to end the JVM: a service manager's reload must never do that.
        warnIfIgnored("HUP", Signals.handle("HUP", signal -> {
            try {
                reload.run();
            } catch (RuntimeException e) {
                Logging.direct(Level.WARNING, "SIGHUP: reload failed, the running configuration stays: " + e);
            }
        }), "the configuration cannot be reloaded without a restart");
        if (!handled) {
            // No signal handling on this JVM (-Xrs, or a platform without these signals): close when it exits.
            String where = String.join(", ", server.addresses().stream().map(Addresses::format).toList());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopAsked[0] = System.nanoTime();
                Logging.direct(Level.INFO, "shutting down: closing the listeners on " + where + " and every connection");
                server.close();
                stopped.countDown();
            }, "relay-shutdown"));
        }
        banner.run();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        if (admin != null) {
            try {
                admin.close();
            } catch (Exception e) {
                // exiting anyway
            }
        }
        Logging.direct(Level.INFO, "stopped in " + (System.nanoTime() - stopAsked[0]) / 1_000_000 + " ms");
    }

    /** A signal the operator expects to work but that can never arrive deserves a line at start-up, not silence. */
    private static void warnIfIgnored(String name, Signals.Outcome outcome, String consequence) {
        if (outcome == Signals.Outcome.IGNORED_BY_PARENT) {
            Logging.direct(Level.WARNING, "SIG" + name + " is ignored in this process (inherited from what started it,"
                    + " e.g. nohup or a script's '&'): " + consequence);
        }
    }
}
