package org.masquerelay.client.cli;

import org.masquerelay.display.LogFormat;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the libraries under relay-client may print on stderr. A failure reaches the user once, as the command's own
 * one-line message; so without -v Kwik and Netty say nothing (a refused certificate used to print 30 lines of Kwik's
 * stack trace before our message) and our library only its warnings, each on one line. With -v: our library's
 * progress and the QUIC stacks' warnings, with their stack traces.
 */
final class ClientLogging {
    // JUL holds loggers weakly: without these references the levels set below are lost at the next GC.
    private static final Logger OURS = Logger.getLogger("org.masquerelay");
    private static final Logger KWIK = Logger.getLogger("tech.kwik");
    private static final Logger NETTY = Logger.getLogger("io.netty");

    private ClientLogging() {}

    static void configure(boolean verbose) {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new LogFormat(false, "relay-client: ", verbose));
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(verbose ? Level.WARNING : Level.SEVERE);
        OURS.setLevel(verbose ? Level.INFO : Level.WARNING);
        KWIK.setLevel(verbose ? Level.WARNING : Level.OFF);
        NETTY.setLevel(verbose ? Level.WARNING : Level.OFF);
        // Kwik prints its own banner on System.out when certificate checks are off (--proxy-insecure, -k); stdout is
        // the response body's. We say it on stderr instead (RelayOptions).
        System.setProperty("tech.kwik.core.no-security-warnings", "true");
    }
}
