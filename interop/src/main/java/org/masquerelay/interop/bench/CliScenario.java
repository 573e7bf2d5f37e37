package org.masquerelay.interop.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The first relayed fetch of a fresh {@code relay-client} process, as a user runs it (issue 11 §5): the launcher
 * {@code bin/relay-client fetch} through the warm relay to a loopback HTTP origin, one new process per round. Wall
 * clock is from starting the process to its exit, so the JVM's start and exit count; CPU is what the process and its
 * children used (bash's {@code times}); {@code time_total} is the fetch as the client itself reports it. One round
 * first, not recorded: the launcher writes its class-data archive on a fresh checkout's first run, as it would for a
 * user.
 */
final class CliScenario {
    /** A fresh process may take this long on a loaded machine; past it the round fails (and is killed). */
    private static final long ROUND_LIMIT_SECONDS = 60;

    private final Bench b;

    CliScenario(Bench b) {
        this.b = b;
    }

    void run() throws Exception {
        Path launcher = launcher();
        if (launcher == null) {
            for (String id : List.of("cli.fetch.wall", "cli.fetch.cpu", "cli.fetch.total")) {
                b.results.fail(id, "bin/relay-client not found in " + Path.of("").toAbsolutePath() + " or above it");
            }
            return;
        }
        int rounds = b.cfg.quick() ? 2 : 10;
        round(launcher);  // the class-data archive is written here on a fresh checkout
        for (int i = 0; i < rounds; i++) {
            try {
                Round r = round(launcher);
                b.results.add("cli.fetch.wall", r.wallMs);
                b.results.add("cli.fetch.cpu", r.cpuMs);
                b.results.add("cli.fetch.total", r.totalMs);
            } catch (IOException e) {
                for (String id : List.of("cli.fetch.wall", "cli.fetch.cpu", "cli.fetch.total")) {
                    b.results.fail(id, Bench.reason(e));
                }
            }
        }
    }

    private record Round(double wallMs, double cpuMs, double totalMs) {}

    private Round round(Path launcher) throws IOException, InterruptedException {
        Path err = Files.createTempFile(b.cfg.out().toAbsolutePath(), "cli-fetch", ".err");
        try {
            // bash runs the launcher (which execs the JVM) and then prints its children's CPU with `times`; the
            // fetch's own -w line goes first. The body goes to /dev/null, as with curl -o /dev/null.
            List<String> cmd = new ArrayList<>(List.of("bash", "-c", "\"$@\" 2>\"$ERR\"; rc=$?; echo; times; exit $rc", "cli",
                    launcher.toString(), "fetch", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                    "-x", "https://127.0.0.1:" + b.relay.address().getPort() + "/",
                    "--proxy-cacert", b.relay.caCertificate().toAbsolutePath().toString(),
                    "http://127.0.0.1:" + b.http.getAddress().getPort() + "/"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
            pb.environment().put("ERR", err.toString());
            // A proxy in the bench's own environment must not redirect the fetch.
            for (String v : List.of("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY")) {
                pb.environment().remove(v);
            }
            long t0 = System.nanoTime();
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(ROUND_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("relay-client fetch did not end within " + ROUND_LIMIT_SECONDS + " s");
            }
            double wallMs = (System.nanoTime() - t0) / 1e6;
            String text = new String(out, StandardCharsets.UTF_8);
            String[] lines = text.strip().split("\n");
            if (p.exitValue() != 0 || lines.length < 3 || !lines[0].startsWith("200 ")) {
                throw new IOException("relay-client fetch exited " + p.exitValue() + ": " + text.strip() + " "
                        + Files.readString(err, StandardCharsets.UTF_8).strip());
            }
            double totalMs = Double.parseDouble(lines[0].split(" ")[1]) * 1000;
            double cpuMs = cpuOfChildren(lines[lines.length - 1]);
            return new Round(wallMs, cpuMs, totalMs);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** bash's {@code times} second line: the children's user and system time, e.g. {@code 0m0.512s 0m0.098s}. */
    static double cpuOfChildren(String line) throws IOException {
        String[] f = line.trim().split("\\s+");
        if (f.length != 2) {
            throw new IOException("unexpected `times` output: " + line);
        }
        return (minutesSeconds(f[0]) + minutesSeconds(f[1])) * 1000;
    }

    private static double minutesSeconds(String s) throws IOException {
        int m = s.indexOf('m');
        if (m < 0 || !s.endsWith("s")) {
            throw new IOException("unexpected `times` field: " + s);
        }
        return Integer.parseInt(s.substring(0, m)) * 60 + Double.parseDouble(s.substring(m + 1, s.length() - 1).replace(',', '.'));
    }

    /** bin/relay-client of this checkout: the bench runs from its root ({@code bin/interop}) or from interop/ (tests). */
    private static Path launcher() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("bin").resolve("relay-client");
            if (Files.isExecutable(p) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return p;
            }
        }
        return null;
    }

    static String group(String g) {
        return String.format(Locale.ROOT, "A fresh relay-client process: bin/relay-client fetch through the warm relay%s", g);
    }
}
