package org.masquerelay.interop.cli;

import org.masquerelay.interop.bench.BenchCommand;
import org.masquerelay.tools.cli.AppleProfileCommand;
import org.masquerelay.tools.cli.DoctorCommand;
import org.masquerelay.tools.cli.ErrorHandler;
import org.masquerelay.tools.cli.ToolLogging;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code interop}: the interop matrix, faulty relays and the benchmark; relay-tools' doctor and apple-profile too. */
@Command(name = "interop", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "MASQUE relay interop suite: peers against each other, Apple's client profile, faulty relays.",
        subcommands = {RunCommand.class, DoctorCommand.class, AppleProfileCommand.class, BenchCommand.class, FaultsCommand.class, SoakCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 success, 1 failures found (run, doctor, bench, faults, soak) or an error while running, 2 usage"
                + " error (an option, a file, a URL)."})
public final class InteropCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Stack traces of failures, and the QUIC stacks' warnings.")
    void verbose(boolean on) {
        configureLogging(on);
    }

    /** Without a command, like relay-server and relay-client: say what to do, show the usage, exit 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: run, doctor, apple-profile, bench, faults or soak");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new InteropCli());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
        cl.getSubcommands().get("run").getCommandSpec().usageMessage().footer(RunCommand.footer());
        return cl;
    }

    /** Warnings only on the terminal (the report keeps each cell's log); with -v, stack traces and Kwik's too. */
    static void configureLogging(boolean verbose) {
        ToolLogging.configure("interop", verbose);
    }

    public static void main(String[] args) {
        configureLogging(false);
        System.exit(commandLine().execute(args));
    }
}
