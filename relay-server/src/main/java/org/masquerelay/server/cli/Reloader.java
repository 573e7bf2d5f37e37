package org.masquerelay.server.cli;

import org.masquerelay.engine.ServerEngine;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.SettingsFactory;
import org.masquerelay.server.certs.CertsException;
import org.masquerelay.server.config.ConfigException;
import org.masquerelay.server.config.RelayConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.logging.Level;

/**
 * SIGHUP: the configuration file read again, checked as at start-up, and applied to new tunnels and connections
 * (credentials, policy, limits, timeouts, log level and format, the TLS certificate and key); open tunnels keep what
 * they started with. A file with a mistake is refused with the message start-up would give, and the running
 * configuration stays. Never ends the process.
 */
final class Reloader {
    private final Path file;
    private final UnaryOperator<RelayConfig> overrides;
    private final RelayServer server;
    private final LoggingChoice logging;
    private RelayConfig current;

    /** How the log is set from a configuration (the command line's --log-level wins over the file). */
    interface LoggingChoice {
        void apply(RelayConfig config);
    }

    Reloader(Path file, UnaryOperator<RelayConfig> overrides, RelayServer server, RelayConfig current, LoggingChoice logging) {
        this.file = file;
        this.overrides = overrides;
        this.server = server;
        this.current = current;
        this.logging = logging;
    }

    synchronized void reload() {
        RelayConfig next;
        RelaySettings settings;
        try {
            next = overrides.apply(RelayConfig.load(file));
            settings = SettingsFactory.from(next);
        } catch (ConfigException | CertsException | IllegalArgumentException e) {
            // Word for word what start-up would print for this file, so the operator fixes the same thing.
            Logging.direct(Level.WARNING, "SIGHUP: " + file + " refused, the running configuration stays: relay-server: "
                    + e.getMessage());
            return;
        } catch (RuntimeException e) {
            Logging.direct(Level.WARNING, "SIGHUP: " + file + " refused, the running configuration stays: " + e);
            return;
        }
        RelaySettings running = server.settings();
        ConfigChanges changes = ConfigChanges.between(current, running, next, settings);
        // What needs a restart stays as it runs; everything else comes from the new file.
        List<ServerEngine> kept = server.reload(settings, changes.identity());
        logging.apply(next);
        current = next;
        if (changes.isEmpty()) {
            Logging.direct(Level.INFO, "SIGHUP: " + file + " re-read: nothing changed");
            return;
        }
        if (!changes.applied().isEmpty()) {
            Logging.direct(Level.INFO, "SIGHUP: " + file + " reloaded; new tunnels and connections get the new "
                    + String.join(", ", changes.applied()) + " (open tunnels keep theirs)");
        }
        for (ServerEngine listener : kept) {
            Logging.direct(Level.WARNING, "SIGHUP: the listener on " + org.masquerelay.display.Addresses.format(listener.localAddress())
                    + " keeps its certificate until a restart: its engine (kwik) fixes the certificate when the listener starts");
        }
        if (!changes.needRestart().isEmpty()) {
            Logging.direct(Level.WARNING, "SIGHUP: changed but only applied by a restart: " + String.join(", ", changes.needRestart()));
        }
    }
}
