package org.masquerelay.interop.cli;

import org.masquerelay.interop.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code interop}: the interop matrix, faulty relays, a doctor for live relays, Apple configuration profiles. */
@Command(name = "interop", mixinStandardHelpOptions = true,
        description = "MASQUE relay interop suite: peers against each other, Apple's client profile, faulty relays.",
        subcommands = {RunCommand.class, DoctorCommand.class, AppleProfileCommand.class, BenchCommand.class})
public final class InteropCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    // JUL holds loggers weakly: keep the one whose level is set here.
    private static final java.util.logging.Logger RELAY_LOGS = java.util.logging.Logger.getLogger("org.masquerelay");

    public static void main(String[] args) {
        // The relays and peers started by the suite log every tunnel; the report keeps per-cell logs, so the
        // terminal shows the matrix only (warnings still come through).
        RELAY_LOGS.setLevel(java.util.logging.Level.WARNING);
        System.exit(new CommandLine(new InteropCli()).execute(args));
    }
}
