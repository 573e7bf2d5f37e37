package org.masquerelay.server.cli;

import org.masquerelay.server.certs.CertsException;
import org.masquerelay.server.certs.IdentityException;
import org.masquerelay.server.config.ConfigException;
import picocli.CommandLine;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * Known failures become one line naming the problem and what to do, with a distinct exit status. Anything else is a
 * bug: one line too, and its stack trace with {@code --log-level debug}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    static final int CONFIG_ERROR = 2;
    static final int STARTUP_ERROR = 3;

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (e instanceof ConfigException || e instanceof CertsException || e instanceof IdentityException
                || e instanceof IllegalArgumentException) {
            cl.getErr().println("relay-server: " + e.getMessage());
            return CONFIG_ERROR;
        }
        if (e instanceof BindException) {
            cl.getErr().println("relay-server: cannot listen on " + e.getMessage() + " (is another relay running on"
                    + " that port? stop it, or choose another port with --listen or --port)");
            return STARTUP_ERROR;
        }
        if (e instanceof NoSuchFileException || e instanceof AccessDeniedException) {
            cl.getErr().println("relay-server: " + (e instanceof NoSuchFileException ? "no such file: " : "permission denied: ")
                    + e.getMessage());
            return STARTUP_ERROR;
        }
        if (e instanceof IOException) {
            cl.getErr().println("relay-server: " + e.getMessage());
            return STARTUP_ERROR;
        }
        cl.getErr().println("relay-server: unexpected error: " + e
                + (debug(parsed) ? "" : " (--log-level debug shows where; please report it)"));
        if (debug(parsed)) {
            e.printStackTrace(cl.getErr());
        }
        return 1;
    }

    /** Whether the command line asked for debug logging, which is when a stack trace helps. */
    private static boolean debug(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--log-level") && "debug".equalsIgnoreCase(String.valueOf(p.matchedOptionValue("--log-level", "")))) {
                return true;
            }
        }
        return false;
    }
}
