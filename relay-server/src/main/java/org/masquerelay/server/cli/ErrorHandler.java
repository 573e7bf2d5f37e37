package org.masquerelay.server.cli;

import org.masquerelay.server.certs.CertsException;
import org.masquerelay.server.certs.IdentityException;
import org.masquerelay.server.config.ConfigException;
import picocli.CommandLine;

import java.io.IOException;
import java.net.BindException;

/** Known failures become one line naming the problem and a distinct exit status; only bugs print a stack trace. */
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
            cl.getErr().println("relay-server: cannot listen: " + e.getMessage() + " (is another relay running on that port?)");
            return STARTUP_ERROR;
        }
        if (e instanceof IOException) {
            cl.getErr().println("relay-server: " + e.getMessage());
            return STARTUP_ERROR;
        }
        e.printStackTrace(cl.getErr());
        return 1;
    }
}
