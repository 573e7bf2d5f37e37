package org.masquerelay.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code relay-server}: run the relay, run it in dev mode, make certificates, check a configuration file.
 * The only place that exits the JVM with a status.
 */
@Command(name = "relay-server", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A MASQUE relay: classic HTTP/3 CONNECT (TCP) and connect-udp (RFC 9298), as Apple's relay client needs.",
        subcommands = {DevCommand.class, RunCommand.class, CertsCommand.class, CheckConfigCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 success, 1 unexpected error, 2 usage or configuration error, 3 cannot start"
                + " (port in use, file missing or unreadable)."})
public final class RelayServerCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a command, like relay-client and interop: say what to do, show the usage, exit 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: dev, run, certs or check-config");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RelayServerCli());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        // Every command answers --version with the same version.
        cl.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
        return cl;
    }

    public static void main(String[] args) {
        org.masquerelay.server.ThreadDeaths.install();
        System.exit(commandLine().execute(args));
    }
}
