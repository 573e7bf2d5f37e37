package org.masquerelay.interop.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bench options of the h2o comparison ({@link H2oComparison}), taken out of the argument list before the rest is
 * parsed: where h2o and curl are, how large and how many rounds, and whether it runs alone ({@code --only vs-h2o}).
 */
record ExternalBaseline(Path h2o, Path curl, int mib, int rounds, boolean only, boolean named, String[] remainingArgs) {
    /** build-peers.sh installs into peers/ beside the project's checkout. */
    private static final Path PEERS = Path.of("..", "peers", "bin");

    static ExternalBaseline take(String[] args) {
        Path h2o = PEERS.resolve("h2o");
        Path curl = PEERS.resolve("curl");
        int mib = 64;
        int rounds = 5;
        boolean only = false;
        boolean named = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--h2o" -> {
                    h2o = Path.of(value(args, ++i));
                    named = true;
                }
                case "--curl" -> {
                    curl = Path.of(value(args, ++i));
                    named = true;
                }
                case "--h2o-mib" -> mib = positive(value(args, ++i), "--h2o-mib");
                case "--h2o-rounds" -> rounds = positive(value(args, ++i), "--h2o-rounds");
                case "--only" -> {
                    String sections = value(args, ++i);
                    if (sections.equals("vs-h2o")) {
                        only = true;
                    } else {
                        rest.add("--only");
                        rest.add(sections);
                    }
                }
                default -> rest.add(args[i]);
            }
        }
        return new ExternalBaseline(h2o, curl, mib, rounds, only, named, rest.toArray(String[]::new));
    }

    /** Runs the comparison when both programs are there; false when it was skipped or failed (said on progress). */
    boolean run(Path out, PrintStream table, PrintStream progress) throws InterruptedException {
        if (!Files.isExecutable(h2o) || !Files.isExecutable(curl)) {
            progress.println("vs-h2o: skipped: h2o (" + h2o + ") or curl (" + curl + ") not found; build them with "
                    + "../shared/tools/build-peers.sh or pass --h2o PATH --curl PATH");
            return false;
        }
        Path root = Path.of("").toAbsolutePath();
        if (!Files.isExecutable(root.resolve("bin/relay-server"))) {
            progress.println("vs-h2o: skipped: our relay is started as bin/relay-server, so run the bench from the "
                    + "project's root (not " + root + ")");
            return false;
        }
        progress.println("vs-h2o: " + rounds + " interleaved rounds of " + mib + " MiB, curl " + curl + ", h2o " + h2o);
        try {
            Files.createDirectories(out);
            new H2oComparison(h2o, curl, root, out, mib, rounds, progress).run();
            table.println("vs-h2o table: " + out.resolve("vs-h2o.md").toAbsolutePath());
            return true;
        } catch (java.io.IOException e) {
            progress.println("vs-h2o: failed: " + e.getMessage());
            return false;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static int positive(String s, String option) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v > 0 && v <= 100_000) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive number, not " + s);
    }
}
