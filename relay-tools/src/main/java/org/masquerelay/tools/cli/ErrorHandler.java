package org.masquerelay.tools.cli;

import org.masquerelay.server.certs.CertsException;
import org.masquerelay.server.certs.IdentityException;
import org.masquerelay.server.config.ConfigException;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * A user's mistake (a missing file, a wrong URL, an unknown case) is one line naming it, exit status 2; a failure
 * while running is one line too, exit status 1. The stack trace only with -v. Shared by relay-tools and interop: each
 * line starts with the name of the program that was run.
 */
public final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    static final int USAGE = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean verbose = verbose(parsed);
        int code;
        String message;
        if (e instanceof NoSuchFileException) {
            code = USAGE;
            message = "no such file: " + e.getMessage();
        } else if (e instanceof AccessDeniedException) {
            code = USAGE;
            message = "permission denied: " + e.getMessage();
        } else if (e instanceof ConfigException || e instanceof CertsException || e instanceof IdentityException
                || e instanceof IllegalArgumentException) {
            code = USAGE;
            message = e.getMessage();
        } else if (e instanceof IOException) {
            code = 1;
            message = e.getMessage();
        } else {
            code = 1;
            message = "unexpected error: " + e + (verbose ? "" : " (-v shows where)");
        }
        cl.getErr().println(program(cl) + ": " + message);
        if (verbose) {
            e.printStackTrace(cl.getErr());
        }
        return code;
    }

    private static String program(CommandLine cl) {
        CommandLine root = cl;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return root.getCommandName();
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
