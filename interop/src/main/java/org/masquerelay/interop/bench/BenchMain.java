package org.masquerelay.interop.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code bench}: the relay's throughput, latency, set-up rate and cost beside baselines, as a table and JSON.
 * <pre>
 *   bench [--quick] [--runs N] [--out DIR] [--only tcp,udp,latency,setup,cost,cli,profile,scale,vs-h2o] [--tcp-mib N]
 *         [--udp-rates 20,50,100,200] [--udp-seconds S] [--engines kwik,quiche] [--scale-tunnels N] [--scale-connections N]
 *         [--h2o PATH --curl PATH] [--h2o-mib N] [--h2o-rounds N]
 * </pre>
 * Exit code 0 when every row has at least one value, 1 otherwise, 2 for a usage error.
 */
public final class BenchMain {
    private BenchMain() {}

    static final String USAGE = """
            usage: bench [--quick] [--runs N] [--out DIR] [--only SECTIONS] [--tcp-mib N] [--udp-rates R,R,..] [--udp-seconds S]
              --quick        every row with tiny sizes and one run (a smoke test, not a measurement)
              --runs N       runs per figure (default 3)
              --out DIR      where results.json, profile.md, JFR files and the relay's log go (default bench-out)
              --only LIST    sections: tcp,udp,latency,setup,cost,cli,profile,scale (default all)
              --tcp-mib N    MiB per TCP run through the relay (default 32)
              --udp-rates L  offered UDP rates in Mbit/s (default 20,50,100,200)
              --udp-seconds S  length of each UDP train (default 1.0)
              --scale-tunnels N      idle TCP tunnels held at once in the scale rows, 2,000 per connection (default 10000)
              --scale-connections N  idle client connections held at once (default 10000; at most 1000 on Kwik)
              --engines L    relay QUIC engines, the first with every row, the others with the relay rows (default kwik,quiche)
              --h2o PATH, --curl PATH  the external baseline: h2o as a relay and curl with HTTP/3 proxying, as built
                             by ../shared/tools/build-peers.sh (default: ../peers/bin/h2o and ../peers/bin/curl when
                             present; skipped with a note otherwise); our relay runs as bin/relay-server dev
              --h2o-mib N    MiB per transfer of that comparison (default 64)
              --h2o-rounds N rounds of it, interleaved (default 5)
              --only vs-h2o  just that comparison
            """;

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the benchmark; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream progress) throws Exception {
        BenchConfig cfg;
        ExternalBaseline external;
        try {
            external = ExternalBaseline.take(args);
            cfg = parse(external.remainingArgs());
        } catch (IllegalArgumentException e) {
            progress.println(e.getMessage());
            progress.print(USAGE);
            return 2;
        }
        if (external.only()) {
            return external.run(cfg.out(), out, progress) ? 0 : 1;
        }
        Bench bench = run(cfg, progress);
        // A smoke run measures nothing, and --only names what to run: no h2o unless asked for.
        List<String> a = Arrays.asList(args);
        if ((!a.contains("--quick") && !a.contains("--only")) || external.named()) {
            external.run(cfg.out(), out, progress);
        }
        bench.results.printTable(out);
        if (!bench.profileSummary.isEmpty()) {
            out.println();
            out.println(bench.profileSummary);
        }
        out.println("JSON: " + cfg.out().resolve("results.json").toAbsolutePath());
        boolean complete = bench.results.rows().stream().allMatch(r -> !r.values.isEmpty() || r.note.contains("skipped"));
        return complete ? 0 : 1;
    }

    static Bench run(BenchConfig cfg, PrintStream progress) throws Exception {
        Bench bench = new Bench(cfg, progress);
        bench.run();
        bench.results.writeJson(cfg.out().resolve("results.json"), bench.profileSummary);
        Files.writeString(cfg.out().resolve("table.md"), bench.results.markdown(), StandardCharsets.UTF_8);
        if (!bench.profileSummary.isEmpty()) {
            Files.writeString(cfg.out().resolve("profile.md"), bench.profileSummary, StandardCharsets.UTF_8);
        }
        return bench;
    }

    static BenchConfig parse(String[] args) {
        List<String> a = Arrays.asList(args);
        BenchConfig cfg = a.contains("--quick") ? BenchConfig.smoke() : BenchConfig.defaults();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> { }
                case "--runs" -> cfg = cfg.withRuns(positive(value(args, ++i, arg), arg));
                case "--out" -> cfg = cfg.withOut(Path.of(value(args, ++i, arg)));
                case "--tcp-mib" -> cfg = cfg.withTcpBytes(positive(value(args, ++i, arg), arg) * BenchConfig.MiB);
                case "--only" -> {
                    Set<String> sections = new HashSet<>(Arrays.asList(value(args, ++i, arg).split(",")));
                    if (!BenchConfig.ALL_SECTIONS.containsAll(sections)) {
                        throw new IllegalArgumentException("unknown section in " + sections + "; known: " + BenchConfig.ALL_SECTIONS);
                    }
                    cfg = cfg.withSections(sections);
                }
                case "--udp-rates" -> cfg = cfg.withUdp(Arrays.stream(value(args, ++i, arg).split(","))
                        .map(s -> positive(s, "--udp-rates")).toList(), cfg.udpSeconds());
                case "--udp-seconds" -> {
                    double s = Double.parseDouble(value(args, ++i, arg));
                    if (!(s > 0 && s <= 10)) {
                        throw new IllegalArgumentException("--udp-seconds must be in (0, 10]");
                    }
                    cfg = cfg.withUdp(cfg.udpRatesMbps(), s);
                }
                case "--engines" -> {
                    List<String> engines = Arrays.asList(value(args, ++i, arg).split(","));
                    if (engines.isEmpty() || !List.of("kwik", "quiche").containsAll(engines)) {
                        throw new IllegalArgumentException("--engines takes kwik and/or quiche, not " + engines);
                    }
                    cfg = cfg.withEngines(engines);
                }
                case "--scale-tunnels" -> {
                    BenchConfig.Scale sc = cfg.scale();
                    cfg = cfg.withScale(new BenchConfig.Scale(positive(value(args, ++i, arg), arg),
                            sc.tunnelsPerConnection(), sc.connections(), sc.rowLimit()));
                }
                case "--scale-connections" -> {
                    BenchConfig.Scale sc = cfg.scale();
                    cfg = cfg.withScale(new BenchConfig.Scale(sc.tunnels(), sc.tunnelsPerConnection(),
                            positive(value(args, ++i, arg), arg), sc.rowLimit()));
                }
                case "-h", "--help" -> throw new IllegalArgumentException("");
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        return cfg;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String s, String option) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v <= 0 || v > 100_000) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a positive number, not " + s);
        }
    }
}
