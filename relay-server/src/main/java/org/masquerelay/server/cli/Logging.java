package org.masquerelay.server.cli;

import org.masquerelay.display.LogFormat;
import org.masquerelay.server.config.LogEncoding;
import org.masquerelay.server.config.LogLevel;
import org.masquerelay.server.log.JsonLogFormat;

import java.io.PrintStream;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The relay's log on stderr: one line per record ({@link LogFormat}: time with milliseconds and zone, DEBUG/INFO/
 * WARN/ERROR, plain addresses; or one JSON object per record with {@code log.format: json}), at the configured level for our code; Kwik's internals stay at warnings unless
 * debugging. Stack traces only at debug level.
 */
final class Logging {
    // JUL holds loggers weakly: without these references the levels set below are lost at the next GC.
    private static final Logger OURS = Logger.getLogger("org.masquerelay");
    private static final Logger KWIK = Logger.getLogger("tech.kwik");
    private static final Logger NETTY = Logger.getLogger("io.netty");

    private static volatile Formatter format = new LogFormat(true, "", false);
    /** Kept apart from the logger: the JDK's shutdown hook may have reset the logger's level by the time we log. */
    private static volatile Level configured = Level.INFO;

    private Logging() {}

    static void configure(LogLevel level) {
        configure(level, LogEncoding.TEXT);
    }

    /** Our level and the way lines are written: text for people, or one JSON object per event ({@link JsonLogFormat}). */
    static void configure(LogLevel level, LogEncoding encoding) {
        Level ours = switch (level) {
            case ERROR -> Level.SEVERE;
            case WARN -> Level.WARNING;
            case INFO -> Level.INFO;
            case DEBUG -> Level.FINE;
        };
        format = encoding == LogEncoding.JSON ? new JsonLogFormat(level == LogLevel.DEBUG)
                : new LogFormat(true, "", level == LogLevel.DEBUG);
        configured = ours;
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(format);
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(Level.WARNING);
        OURS.setLevel(ours);
        KWIK.setLevel(ours == Level.FINE ? Level.FINE : Level.WARNING);
        NETTY.setLevel(ours == Level.FINE ? Level.FINE : Level.WARNING);
    }

    /**
     * A log line written straight to stderr, for shutdown: the JDK's own shutdown hook resets java.util.logging at
     * the same time as ours runs, so a record logged then may never appear.
     */
    static void direct(Level level, String message) {
        if (level.intValue() < configured.intValue()) {
            return;
        }
        PrintStream err = System.err;
        err.print(format.format(new LogRecord(level, message)));
        err.flush();
    }
}
