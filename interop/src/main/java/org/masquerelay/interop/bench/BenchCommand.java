package org.masquerelay.interop.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code interop bench}: the options, documented for --help, handed to {@link BenchMain} as its own arguments so
 * that there is one place that checks them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmarks the relay beside baselines (direct loopback, socat, a Netty/quiche client).",
                "Prints a table and writes results.json, table.md and profile.md. Loopback only; about 4 minutes with"
                        + " the defaults."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Every row once with tiny sizes: a smoke test, not a measurement.")
    boolean quick;

    @Option(names = "--runs", paramLabel = "N", description = "Runs per figure (default 3).")
    Integer runs;

    @Option(names = "--out", paramLabel = "DIR", description = "Where results.json, profile.md, JFR files and the relay's log go (default bench-out).")
    Path out;

    @Option(names = "--only", paramLabel = "SECTIONS", description = "Sections to run, from tcp,udp,latency,setup,cost,profile (default all).")
    String only;

    @Option(names = "--tcp-mib", paramLabel = "N", description = "MiB per TCP run through the relay (default 32).")
    Integer tcpMib;

    @Option(names = "--udp-rates", paramLabel = "R,R,...", description = "Offered UDP rates in Mbit/s (default 20,50,100,200).")
    String udpRates;

    @Option(names = "--udp-seconds", paramLabel = "S", description = "Length of each UDP train, up to 10 (default 1.0).")
    Double udpSeconds;

    @Option(names = "--engines", paramLabel = "LIST", description = "Relay QUIC engines: the first gets every row, the others the relay rows (default kwik,quiche).")
    String engines;

    @Override
    public Integer call() throws Exception {
        return BenchMain.run(arguments().toArray(String[]::new), System.out, System.err);
    }

    List<String> arguments() {
        List<String> args = new ArrayList<>();
        if (quick) {
            args.add("--quick");
        }
        add(args, "--runs", runs);
        add(args, "--out", out);
        add(args, "--only", only);
        add(args, "--tcp-mib", tcpMib);
        add(args, "--udp-rates", udpRates);
        add(args, "--udp-seconds", udpSeconds);
        add(args, "--engines", engines);
        return args;
    }

    private static void add(List<String> args, String option, Object value) {
        if (value != null) {
            args.add(option);
            args.add(value.toString());
        }
    }
}
