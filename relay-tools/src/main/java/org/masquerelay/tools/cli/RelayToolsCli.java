package org.masquerelay.tools.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code relay-tools}: what an operator runs against a relay: a doctor for a live relay, Apple configuration profiles. */
@Command(name = "relay-tools", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Operator tools for a MASQUE relay: probe it as Apple's client would, make a profile for Apple devices.",
        subcommands = {DoctorCommand.class, AppleProfileCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 success, 1 a check failed (doctor) or an error while running, 2 usage error (an"
                + " option, a file, a URL)."})
public final class RelayToolsCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Stack traces of failures, and the QUIC stack's warnings.")
    void verbose(boolean on) {
        ToolLogging.configure("relay-tools", on);
    }

    /** Without a command, like the other launchers: say what to do, show the usage, exit 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: doctor or apple-profile");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RelayToolsCli());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
        return cl;
    }

    public static void main(String[] args) {
        ToolLogging.configure("relay-tools", false);
        System.exit(commandLine().execute(args));
    }
}
