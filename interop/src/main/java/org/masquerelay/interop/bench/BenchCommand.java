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
                "Prints a table and writes results.json, table.md and profile.md. Loopback only; about 10 minutes with"
                        + " the defaults."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Every row once with tiny sizes: a smoke test, not a measurement.")
    boolean quick;

    @Option(names = "--runs", paramLabel = "N", description = "Runs per figure (default 3).")
    Integer runs;

    @Option(names = "--out", paramLabel = "DIR", description = "Where results.json, profile.md, JFR files and the relay's log go (default bench-out).")
    Path out;

    @Option(names = "--only", paramLabel = "SECTIONS", description = "Sections to run, from tcp,udp,latency,setup,cost,cli,profile,scale (default all); vs-h2o alone runs just the comparison with h2o.")
    String only;

    @Option(names = "--tcp-mib", paramLabel = "N", description = "MiB per TCP run through the relay (default 32).")
    Integer tcpMib;

    @Option(names = "--udp-rates", paramLabel = "R,R,...", description = "Offered UDP rates in Mbit/s (default 20,50,100,200).")
    String udpRates;

    @Option(names = "--udp-seconds", paramLabel = "S", description = "Length of each UDP train, up to 10 (default 1.0).")
    Double udpSeconds;

    @Option(names = "--engines", paramLabel = "LIST", description = "Relay QUIC engines: the first gets every row, the others the relay rows (default kwik,quiche).")
    String engines;

    @Option(names = "--scale-tunnels", paramLabel = "N", description = "Idle TCP tunnels held at once in the scale rows, 2,000 per connection (default 10000).")
    Integer scaleTunnels;

    @Option(names = "--scale-connections", paramLabel = "N", description = "Idle client connections held at once in the scale rows (default 10000; at most 1000 on Kwik).")
    Integer scaleConnections;

    @Option(names = "--h2o", paramLabel = "PATH", description = "h2o for the external baseline (default ../peers/bin/h2o, as ../shared/tools/build-peers.sh installs it; skipped with a note when missing).")
    Path h2o;

    @Option(names = "--curl", paramLabel = "PATH", description = "curl with HTTP/3 proxying, the one client of that comparison (default ../peers/bin/curl).")
    Path curl;

    @Option(names = "--h2o-mib", paramLabel = "N", description = "MiB per transfer of the h2o comparison (default 64).")
    Integer h2oMib;

    @Option(names = "--h2o-rounds", paramLabel = "N", description = "Interleaved rounds of the h2o comparison (default 5).")
    Integer h2oRounds;

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
        add(args, "--scale-tunnels", scaleTunnels);
        add(args, "--scale-connections", scaleConnections);
        add(args, "--h2o", h2o);
        add(args, "--curl", curl);
        add(args, "--h2o-mib", h2oMib);
        add(args, "--h2o-rounds", h2oRounds);
        return args;
    }

    private static void add(List<String> args, String option, Object value) {
        if (value != null) {
            args.add(option);
            args.add(value.toString());
        }
    }
}
