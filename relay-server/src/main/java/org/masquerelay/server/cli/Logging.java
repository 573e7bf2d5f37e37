package org.masquerelay.server.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * One line per log record on stderr (the JDK default takes two), at the configured level for our code; Kwik's
 * internals stay quiet unless debugging.
 */
final class Logging {
    // JUL holds loggers weakly: without these references the levels set below are lost at the next GC.
    private static final Logger OURS = Logger.getLogger("org.masquerelay");
    private static final Logger KWIK = Logger.getLogger("tech.kwik");

    private Logging() {}

    static void configure(String level) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$-7s %5$s%6$s%n");
        Level ours = switch (level.toLowerCase()) {
            case "error" -> Level.SEVERE;
            case "warn" -> Level.WARNING;
            case "debug" -> Level.FINE;
            default -> Level.INFO;
        };
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new SimpleFormatter());
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(Level.WARNING);
        OURS.setLevel(ours);
        KWIK.setLevel(ours == Level.FINE ? Level.FINE : Level.WARNING);
    }
}
