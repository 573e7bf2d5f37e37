package org.masquerelay.tools.cli;

import org.masquerelay.display.LogFormat;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logging of the tools' command lines (relay-tools, interop): the relays and peers they start log every tunnel, which
 * is not the user's business on a terminal, so it shows warnings only, one line each (with -v: with stack traces, and
 * Kwik's too).
 */
public final class ToolLogging {
    // JUL holds loggers weakly: keep the ones whose levels are set here.
    private static final Logger RELAY_LOGS = Logger.getLogger("org.masquerelay");
    private static final Logger KWIK = Logger.getLogger("tech.kwik");
    private static final Logger NETTY = Logger.getLogger("io.netty");

    private ToolLogging() {}

    /** @param program the prefix of each line, e.g. "interop" */
    public static void configure(String program, boolean verbose) {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new LogFormat(false, program + ": ", verbose));
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        RELAY_LOGS.setLevel(Level.WARNING);
        KWIK.setLevel(verbose ? Level.WARNING : Level.OFF);
        // Netty's HTTP/2 codec tells at INFO of frames it ignores (DATA on a stream it reset): a probe's normal case.
        NETTY.setLevel(verbose ? Level.INFO : Level.WARNING);
    }
}
