package org.masquerelay.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code relay-server}: run the relay, run it in dev mode, make certificates, check a configuration file.
 * The only place that exits the JVM with a status.
 */
@Command(name = "relay-server", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A MASQUE relay: classic HTTP/3 CONNECT (TCP) and connect-udp (RFC 9298), as Apple's relay client needs.",
        subcommands = {DevCommand.class, RunCommand.class, CertsCommand.class, CheckConfigCommand.class, CommandLine.HelpCommand.class})
public final class RelayServerCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: dev, run, certs or check-config");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RelayServerCli());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
