package org.masquerelay.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code relay-client}: fetch URLs through a MASQUE relay, or run a local SOCKS5/HTTP proxy that forwards through it.
 * Started as {@code java -cp <classpath> org.masquerelay.client.cli.RelayClientCli ...}.
 */
@Command(name = "relay-client", mixinStandardHelpOptions = true, version = "relay-client 0.1.0",
        description = "A MASQUE relay client (HTTP/3 CONNECT and connect-udp), with curl's vocabulary.",
        subcommands = {FetchCommand.class, ProxyCommand.class, CommandLine.HelpCommand.class},
        footer = {"", ExitCodes.HELP})
public final class RelayClientCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    /** Runs the command line and returns the exit code (tests call this; main exits with it). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new RelayClientCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            ExitCodes.Outcome outcome = ExitCodes.of(e);
            commandLine.getErr().println("relay-client: " + outcome.message());
            return outcome.code();
        });
        return cli.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
