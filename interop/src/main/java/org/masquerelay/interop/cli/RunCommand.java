package org.masquerelay.interop.cli;

import org.masquerelay.interop.matrix.AppleClientPeer;
import org.masquerelay.interop.matrix.Case;
import org.masquerelay.interop.matrix.CaseResult;
import org.masquerelay.interop.matrix.ClientPeer;
import org.masquerelay.interop.matrix.CurlPeer;
import org.masquerelay.interop.matrix.InteropEnv;
import org.masquerelay.interop.matrix.JettyClientPeer;
import org.masquerelay.interop.matrix.JettyH2ClientPeer;
import org.masquerelay.interop.matrix.MatrixRunner;
import org.masquerelay.interop.matrix.NettyClientPeer;
import org.masquerelay.interop.matrix.NettyRelayPeer;
import org.masquerelay.interop.matrix.OurRelayPeer;
import org.masquerelay.interop.matrix.RelayClientPeer;
import org.masquerelay.interop.matrix.ServerPeer;
import org.masquerelay.interop.matrix.VariantRunner;
import org.masquerelay.interop.report.ReportFiles;
import org.masquerelay.interop.report.RunReport;
import org.masquerelay.interop.report.TerminalReport;
import org.masquerelay.interop.variants.FaultyRelay;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.tools.apple.AppleProbe;
import org.masquerelay.tools.apple.RelayPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code interop run}: the matrix and the faulty-relay table, printed and written as JSON + HTML. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the interop matrix and the faulty-relay probes, prints both, and writes a report.",
                "Every client peer runs every case against every server peer; a cell is ✓ passed, ✕ failed or ? unsupported"
                        + " (the peer cannot do that case: not a failure). The report (report.html, report.json, a log per"
                        + " cell and TLS key logs) goes to --out."})
public final class RunCommand implements Callable<Integer> {
    /** The help's footer: what each case code checks (from {@link Case}, so it cannot drift). */
    static String[] footer() {
        java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of("", "Cases (--case):"));
        for (Case c : Case.values()) {
            // Wrapped here: picocli would continue a footer line at the left margin, under the codes.
            StringBuilder line = new StringBuilder("  " + c.name() + "  " + c.title + ":");
            for (String word : c.description.split(" ")) {
                if (line.length() + 1 + word.length() > 79) {
                    lines.add(line.toString());
                    line = new StringBuilder("     ");
                }
                line.append(' ').append(word);
            }
            lines.add(line.toString());
        }
        return lines.toArray(String[]::new);
    }

    @Option(names = "--client", split = ",", paramLabel = "PEER", description = "Client peers: apple-profile, netty-quiche, relay-client,"
            + " jetty-http3 over HTTP/3; apple-profile-h2, jetty-http2, relay-client-h2 over HTTP/2; relay-client-http1.1, curl-http1.1"
            + " over HTTP/1.1 (and curl-http2 with a curl that has --proxy-http2, see --curl), to the relay's TCP listener (default: all; 'none' for the faulty relays alone).")
    List<String> clients;

    @Option(names = "--server", split = ",", paramLabel = "PEER", description = "Server peers: relay-server, netty-relay (default: relay-server;"
            + " netty-relay, the independent Netty relay, is opt-in while its intermittent failures are open).")
    List<String> servers;

    @Option(names = "--case", split = ",", paramLabel = "CODE", description = "Case codes, e.g. T,U,O (default: all; listed below).")
    List<String> cases;

    @Option(names = "--variant", split = ",", paramLabel = "ID", description = "Faulty relays to probe (default: all; 'none' to skip).")
    List<String> variants;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: interop-out).")
    Path out = Path.of("interop-out");

    @Option(names = "--curl", paramLabel = "PATH", description = "The curl of the curl rows (default: Debian's, /usr/bin/curl)."
            + " One with --proxy-http2 (curl 8.1 or later with nghttp2) adds the curl-http2 row.")
    Path curl = CurlPeer.DEBIAN_CURL;

    @Option(names = "--engine", description = "QUIC engine of our relay-server: kwik or quiche (default: the relay's default)")
    String engine;

    @Override
    public Integer call() throws Exception {
        QuicEngine chosen = engine == null ? null : QuicEngine.parse("--engine", engine);
        RunReport report = execute(clients, servers, cases, variants, out, true, chosen, curl);
        return report.ok() ? 0 : 1;
    }

    /** Shared with the tests: runs what was selected, prints progress and the tables, writes the report files. */
    public static RunReport execute(List<String> clientNames, List<String> serverNames, List<String> caseCodes,
                                    List<String> variantIds, Path out, boolean print) throws Exception {
        return execute(clientNames, serverNames, caseCodes, variantIds, out, print, null);
    }

    /** The same with our relay on {@code engine} (null: the relay's default). */
    public static RunReport execute(List<String> clientNames, List<String> serverNames, List<String> caseCodes,
                                    List<String> variantIds, Path out, boolean print, QuicEngine engine) throws Exception {
        return execute(clientNames, serverNames, caseCodes, variantIds, out, print, engine, CurlPeer.DEBIAN_CURL);
    }

    /** The same with {@code curl} for the curl rows. */
    public static RunReport execute(List<String> clientNames, List<String> serverNames, List<String> caseCodes,
                                    List<String> variantIds, Path out, boolean print, QuicEngine engine, Path curl) throws Exception {
        Files.createDirectories(out);
        Path logs = out.resolve("logs");
        Path keys = Files.createDirectories(out.resolve("keys"));
        List<ClientPeer> all = new java.util.ArrayList<>(List.of(
                // HTTP/3, to the relay's UDP listener
                new AppleClientPeer(keys), new NettyClientPeer(), new RelayClientPeer(keys), new JettyClientPeer(out.resolve("jetty-pem")),
                // HTTP/2 and HTTP/1.1, to its TCP listener
                new AppleClientPeer(keys, RelayPath.H2), new JettyH2ClientPeer(),
                new RelayClientPeer(keys, org.masquerelay.client.RelayTransport.H2),
                new RelayClientPeer(keys, org.masquerelay.client.RelayTransport.HTTP1_1), new CurlPeer(curl, false, out.resolve("curl"))));
        all.add(new CurlPeer(curl, true, out.resolve("curl")));
        // curl-http2 runs by default only with a curl that can (asked for by name, its cells say why not).
        List<ClientPeer> clients = clientNames == null || clientNames.isEmpty()
                ? all.stream().filter(p -> !p.name().equals("curl-http2") || CurlPeer.supportsProxyHttp2(curl)).toList()
                : select(all, clientNames, ClientPeer::name);
        List<ServerPeer> servers = serverNames == null || serverNames.isEmpty() ? List.<ServerPeer>of(new OurRelayPeer())
                : select(List.<ServerPeer>of(new OurRelayPeer(), new NettyRelayPeer()), serverNames, ServerPeer::name);
        List<Case> cases = caseCodes == null ? List.of(Case.values()) : caseCodes.stream().map(Case::byCode).toList();
        List<FaultyRelay> variants = variantIds == null ? List.of(FaultyRelay.values())
                : variantIds.contains("none") ? List.of() : variantIds.stream().map(FaultyRelay::byId).toList();
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        try (InteropEnv env = new InteropEnv(Files.createTempDirectory("interop-env"), engine)) {
            if (print) {
                System.out.println("our relay-server runs on the " + env.engine().configName() + " engine");
            }
            List<CaseResult> cells = MatrixRunner.run(env, clients, servers, cases, logs, r -> {
                if (print) {
                    System.out.printf("  %s %-14s %-14s %s %5d ms %s%n", r.status().symbol, r.client(), r.server(), r.testCase(), r.millis(), r.cause());
                }
            });
            List<VariantRunner.VariantResult> variantResults = VariantRunner.run(env, variants, logs, v -> {
                if (print) {
                    System.out.printf("  %s variant %-24s %s%n", v.matches() ? "✓" : "✕", v.variant().id, v.probe().reported());
                }
            });
            AppleProbe.Result ours = null;
            AppleProbe.Result oursH2 = null;
            if (!variants.isEmpty()) {
                try (ServerPeer.Running relay = new OurRelayPeer().start(env)) {
                    ours = VariantRunner.probe(relay.target(), env);
                    oursH2 = VariantRunner.probe(relay.target(), env, RelayPath.H2);
                    Files.createDirectories(logs);
                    Files.write(logs.resolve("variant__relay-server.log"), ours.log());
                    Files.write(logs.resolve("variant__relay-server-h2.log"), oursH2.log());
                }
            }
            RunReport report = new RunReport(started, (System.nanoTime() - t0) / 1_000_000, cases, cells, variantResults, ours, oursH2);
            List<Path> files = ReportFiles.write(report, out);
            if (print) {
                System.out.println();
                TerminalReport.print(report, System.out);
                System.out.println("report: " + files.get(1).toAbsolutePath() + " (JSON: " + files.get(0).getFileName() + ", logs: " + logs + ")");
            }
            return report;
        }
    }

    private static <T> List<T> select(List<T> all, List<String> names, java.util.function.Function<T, String> name) {
        if (names == null || names.isEmpty()) {
            return all;
        }
        if (names.equals(List.of("none"))) {
            return List.of();
        }
        List<T> chosen = all.stream().filter(p -> names.contains(name.apply(p))).toList();
        for (String wanted : names) {
            if (chosen.stream().noneMatch(p -> name.apply(p).equals(wanted))) {
                throw new IllegalArgumentException("unknown peer '" + wanted + "'; known: "
                        + String.join(", ", all.stream().map(name).toList()));
            }
        }
        return chosen;
    }
}
