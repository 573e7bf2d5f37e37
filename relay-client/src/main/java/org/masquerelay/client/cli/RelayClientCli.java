package org.masquerelay.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/**
 * {@code relay-client}: fetch URLs through a MASQUE relay, or run a local SOCKS5/HTTP proxy that forwards through it.
 * Started as {@code java -cp <classpath> org.masquerelay.client.cli.RelayClientCli ...}.
 */
@Command(name = "relay-client", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A MASQUE relay client (HTTP/3 CONNECT and connect-udp), with curl's vocabulary.",
        footer = {"", "Exit codes are curl's; fetch --help and proxy --help list them."})
public final class RelayClientCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a command, like relay-server and interop: say what to do, show the usage, exit 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: fetch or proxy");
    }

    /** Runs the command line and returns the exit code (tests call this; main exits with it). */
    public static int run(String... args) {
        // Picocli reflects over every option of every command it is given, cold, in each fresh process (~20 ms per
        // command here): a fetch builds only its own command. Help and usage errors get them all.
        boolean one = args.length > 0 && COMMANDS.contains(args[0]);
        return commandLine(one ? List.of(args[0]) : COMMANDS).execute(args);
    }

    private static final List<String> COMMANDS = List.of("fetch", "proxy");

    /** The command line with its error handling and versions, ready to execute. */
    public static CommandLine commandLine() {
        return commandLine(COMMANDS);
    }

    private static CommandLine commandLine(List<String> commands) {
        CommandLine cli = new CommandLine(new RelayClientCli());
        for (String name : commands) {
            cli.addSubcommand(name.equals("fetch") ? new FetchCommand() : new ProxyCommand());
        }
        cli.addSubcommand(new CommandLine.HelpCommand());
        cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            ExitCodes.Outcome outcome = ExitCodes.of(e);
            commandLine.getErr().println("relay-client: " + outcome.message());
            if (outcome.code() == ExitCodes.OTHER && verbose(parseResult)) {
                e.printStackTrace(commandLine.getErr());
            }
            return outcome.code();
        });
        return cli;
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("-v")) {
                return true;
            }
        }
        return false;
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("fetch")) {
            WarmUp.start();
        }
        System.exit(run(args));
    }
}
