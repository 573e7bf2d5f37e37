package org.masquerelay.server.cli;

import java.util.function.Consumer;

/**
 * POSIX signals for a service: SIGTERM/SIGINT drain, SIGHUP reloads. The JDK has no public API for them; its only
 * standard hook, a shutdown hook, runs when the JVM is already exiting, so it can neither keep serving open tunnels
 * for a drain nor survive a SIGHUP (whose default is to exit). {@code sun.misc.Signal} (module jdk.unsupported,
 * exported and kept for exactly this) replaces the JVM's handler for one signal; {@code jdk.internal.misc.Signal}
 * would need {@code --add-exports} on every launch. Handlers run on a thread the JVM starts per signal.
 */
final class Signals {
    private Signals() {}

    /** What became of a request to handle a signal. */
    enum Outcome {
        HANDLED,
        /**
         * The process started with the signal ignored ({@code nohup} ignores SIGHUP; a shell without job control
         * ignores SIGINT in what it starts with {@code &}). The JVM keeps it ignored rather than install our handler,
         * so it never arrives.
         */
        IGNORED_BY_PARENT,
        /** Unknown on this platform, or reserved ({@code -Xrs}). */
        UNAVAILABLE
    }

    /** Runs {@code handler} (with the signal's name, e.g. "TERM") each time the signal arrives, instead of the JVM's default. */
    static Outcome handle(String name, Consumer<String> handler) {
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal(name),
                    signal -> handler.accept(signal.getName()));
            return previous == sun.misc.SignalHandler.SIG_IGN ? Outcome.IGNORED_BY_PARENT : Outcome.HANDLED;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return Outcome.UNAVAILABLE;
        }
    }
}
