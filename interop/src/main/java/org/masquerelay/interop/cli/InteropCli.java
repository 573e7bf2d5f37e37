package org.masquerelay.interop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code interop}: the interop matrix, faulty relays, a doctor for live relays, Apple configuration profiles. */
@Command(name = "interop", mixinStandardHelpOptions = true,
        description = "MASQUE relay interop suite: peers against each other, Apple's client profile, faulty relays.",
        subcommands = {RunCommand.class, DoctorCommand.class, AppleProfileCommand.class})
public final class InteropCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new InteropCli()).execute(args));
    }
}
