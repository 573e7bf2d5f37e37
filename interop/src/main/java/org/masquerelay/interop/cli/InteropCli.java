package org.masquerelay.interop.cli;

import org.masquerelay.display.LogFormat;
import org.masquerelay.interop.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code interop}: the interop matrix, faulty relays, a doctor for live relays, Apple configuration profiles. */
@Command(name = "interop", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "MASQUE relay interop suite: peers against each other, Apple's client profile, faulty relays.",
        subcommands = {RunCommand.class, DoctorCommand.class, AppleProfileCommand.class, BenchCommand.class, FaultsCommand.class, SoakCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 success, 1 failures found (run, doctor, bench) or an error while running, 2 usage"
                + " error (an option, a file, a URL)."})
public final class InteropCli implements Runnable {
    // JUL holds loggers weakly: keep the ones whose levels are set here.
    private static final Logger RELAY_LOGS = Logger.getLogger("org.masquerelay");
    private static final Logger KWIK = Logger.getLogger("tech.kwik");

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

    /**
     * The relays and peers started by the suite log every tunnel; the report keeps per-cell logs, so the terminal
     * shows warnings only, one line each (with -v: with stack traces, and Kwik's too).
     */
    static void configureLogging(boolean verbose) {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new LogFormat(false, "interop: ", verbose));
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        RELAY_LOGS.setLevel(Level.WARNING);
        KWIK.setLevel(verbose ? Level.WARNING : Level.OFF);
    }

    public static void main(String[] args) {
        configureLogging(false);
        System.exit(commandLine().execute(args));
    }
}
