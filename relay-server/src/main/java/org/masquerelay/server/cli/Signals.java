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

    /**
     * Runs {@code handler} (with the signal's name, e.g. "TERM") each time the signal arrives, instead of the JVM's
     * default. False when the signal cannot be handled here (unknown on this platform, or reserved: {@code -Xrs}).
     */
    static boolean handle(String name, Consumer<String> handler) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> handler.accept(signal.getName()));
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return false;
        }
    }
}
