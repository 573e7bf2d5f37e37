package org.masquerelay.interop.bench;

import org.masquerelay.server.certs.CertificateTool;

import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark against the relay to beat: h2o ({@code proxy.connect}, {@code proxy.connect-udp}, one thread) and our
 * relay started exactly as the README says ({@code bin/relay-server dev}), driven by the same client — curl with
 * HTTP/3 proxying, as built by {@code ../shared/tools/build-peers.sh} — in one run, rounds interleaved:
 * <ul>
 *   <li>TCP through classic CONNECT over HTTP/3: {@code curl --proxy-http3 -p} fetching a file from an h2o origin
 *   over plain HTTP/1.1;</li>
 *   <li>HTTP/3 through connect-udp: {@code curl --http3-only --proxy-http3} fetching it from the origin's HTTP/3
 *   listener.</li>
 * </ul>
 * Per transfer: curl's {@code speed_download} and the relay process's CPU time (utime + stime from /proc), so the
 * table gives MB/s, our/h2o ratios and relay CPU-seconds per GB. Everything listens on 127.0.0.1 only.
 */
final class H2oComparison {
    record Sample(String relay, String path, double bytesPerSecond, double cpuSeconds, long bytes) {}

    /**
     * Untimed rounds first. After 2 (what this was), our relay's JIT compiler threads still burned 60-450 ms of CPU
     * per 64 MiB transfer besides the event loop's ~150-250 ms, which the timed rounds then counted; they settle
     * after 9-13 transfers of a path (per-thread CPU from /proc, docs/benchmark.md "Against h2o").
     */
    private static final int WARM_UP_ROUNDS = 12;

    private final Path h2o;
    private final Path curl;
    private final Path root;
    private final Path out;
    private final int mib;
    private final int rounds;
    private final PrintStream log;

    H2oComparison(Path h2o, Path curl, Path root, Path out, int mib, int rounds, PrintStream log) {
        this.h2o = h2o;
        this.curl = curl;
        this.root = root;
        this.out = out;
        this.mib = mib;
        this.rounds = rounds;
        this.log = log;
    }

    /** Runs every round; returns the samples (also written to {@code out/vs-h2o.json} and {@code vs-h2o.md}). */
    List<Sample> run() throws IOException, InterruptedException {
        Path dir = Files.createDirectories(out.resolve("vs-h2o"));
        Path www = Files.createDirectories(dir.resolve("www"));
        Path file = www.resolve("payload");
        if (!Files.exists(file) || Files.size(file) != (long) mib << 20) {
            byte[] chunk = new byte[1 << 20];
            new SecureRandom().nextBytes(chunk);
            try (var o = Files.newOutputStream(file)) {
                for (int i = 0; i < mib; i++) {
                    o.write(chunk);
                }
            }
        }
        CertificateTool.Result pki = CertificateTool.create(dir.resolve("pki"), List.of("127.0.0.1", "localhost"), false);
        int originHttp = freeTcpPort();
        int originTls = freeTcpAndUdpPort();
        int h2oRelay = freeTcpAndUdpPort();
        int ourRelay = freeTcpAndUdpPort();
        Path originConf = write(dir.resolve("origin.conf"), h2oConfig(pki, originTls, 0, originHttp,
                "      \"/\":\n        file.dir: " + www + "\n", dir.resolve("origin-error.log")));
        Path relayConf = write(dir.resolve("relay.conf"), h2oConfig(pki, h2oRelay, 1, 0,
                "      \"/\":\n        proxy.connect:\n          - \"+127.0.0.1/32\"\n"
                        + "      \"/.well-known/masque/udp\":\n        proxy.connect-udp:\n          - \"+127.0.0.1/32\"\n",
                dir.resolve("relay-error.log")));
        List<Process> started = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        try {
            started.add(start(List.of(h2o.toString(), "-c", originConf.toString()), dir.resolve("origin.out")));
            Process theirs = start(List.of(h2o.toString(), "-c", relayConf.toString()), dir.resolve("h2o-relay.out"));
            started.add(theirs);
            Path state = dir.resolve("relay-dev");
            Process ours = start(List.of(root.resolve("bin/relay-server").toString(), "dev", "--port", Integer.toString(ourRelay),
                    "--state-dir", state.toString(), "--log-level", "warn"), dir.resolve("our-relay.out"));
            started.add(ours);
            awaitFile(state.resolve("ca.pem"), ours);
            Map<String, Relay> relays = new LinkedHashMap<>();
            relays.put("h2o", new Relay(theirs, h2oRelay, pki.caCertificate()));
            relays.put("ours", new Relay(ours, ourRelay, state.resolve("ca.pem")));
            String tcpUrl = "http://127.0.0.1:" + originHttp + "/payload";
            String h3Url = "https://127.0.0.1:" + originTls + "/payload";
            for (Relay relay : relays.values()) {
                awaitRelay(relay, tcpUrl);
            }
            // Untimed warm-up rounds of both paths on both relays: a JVM compiles its hot paths in the first GB or
            // so, and the figures are meant to describe a relay that has been running, as a deployed one has.
            for (int i = 0; i < WARM_UP_ROUNDS; i++) {
                for (Relay relay : relays.values()) {
                    fetch("warm-up", "tcp", relay, List.of("--proxy-http3", "-p", tcpUrl));
                    fetch("warm-up", "udp", relay, List.of("--http3-only", "--proxy-http3", "--cacert",
                            pki.caCertificate().toString(), h3Url));
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Relay> e : relays.entrySet()) {
                    samples.add(fetch(e.getKey(), "tcp", e.getValue(), List.of("--proxy-http3", "-p", tcpUrl)));
                    samples.add(fetch(e.getKey(), "udp", e.getValue(), List.of("--http3-only", "--proxy-http3",
                            "--cacert", pki.caCertificate().toString(), h3Url)));
                }
            }
        } finally {
            for (Process p : started) {
                p.destroy();
            }
            for (Process p : started) {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        report(samples);
        return samples;
    }

    private record Relay(Process process, int port, Path ca) {}

    private Sample fetch(String name, String path, Relay relay, List<String> what) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(curl.toString(), "-sS", "-o", "/dev/null", "--max-time", "120",
                "-w", "%{speed_download} %{size_download}", "-x", "https://127.0.0.1:" + relay.port() + "/",
                "--proxy-cacert", relay.ca().toString()));
        cmd.addAll(what);
        double cpuBefore = cpuSeconds(relay.process());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(150, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(name + " " + path + ": curl failed (" + output + "): " + String.join(" ", cmd));
        }
        double cpu = cpuSeconds(relay.process()) - cpuBefore;
        String[] f = output.split(" ");
        long bytes = Long.parseLong(f[1]);
        if (bytes != (long) mib << 20) {
            throw new IOException(name + " " + path + ": " + bytes + " bytes received, expected " + ((long) mib << 20));
        }
        Sample s = new Sample(name, path, Double.parseDouble(f[0]), cpu, bytes);
        log.printf(Locale.ROOT, "  %-5s %-4s %7.1f MB/s  relay CPU %.2f s%n", name, path, s.bytesPerSecond() / 1e6, cpu);
        return s;
    }

    private void report(List<Sample> samples) throws IOException {
        StringBuilder md = new StringBuilder("| path | h2o MB/s | ours MB/s | ours/h2o | h2o CPU-s/GB | ours CPU-s/GB | CPU ratio |\n"
                + "|---|---|---|---|---|---|---|\n");
        StringBuilder json = new StringBuilder("{\"mib\": ").append(mib).append(", \"rounds\": ").append(rounds).append(", \"rows\": [");
        String sep = "";
        for (String path : List.of("tcp", "udp")) {
            double theirs = median(samples, "h2o", path, true);
            double ours = median(samples, "ours", path, true);
            double theirCpu = median(samples, "h2o", path, false);
            double ourCpu = median(samples, "ours", path, false);
            String label = path.equals("tcp") ? "TCP through classic CONNECT (HTTP/3)" : "HTTP/3 through connect-udp";
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2f× | %.2f | %.2f | %.2f× |%n", label,
                    theirs / 1e6, ours / 1e6, ours / theirs, theirCpu, ourCpu, ourCpu / theirCpu));
            json.append(sep).append(String.format(Locale.ROOT,
                    "{\"path\": \"%s\", \"h2oBytesPerSecond\": %.0f, \"oursBytesPerSecond\": %.0f, \"ratio\": %.3f,"
                            + " \"h2oCpuSecondsPerGB\": %.3f, \"oursCpuSecondsPerGB\": %.3f}",
                    path, theirs, ours, ours / theirs, theirCpu, ourCpu));
            sep = ", ";
        }
        json.append("]}\n");
        Files.writeString(out.resolve("vs-h2o.md"), md);
        Files.writeString(out.resolve("vs-h2o.json"), json);
        log.println();
        log.print(md);
    }

    /** Median MB/s (speed) or relay CPU-seconds per GB. */
    private static double median(List<Sample> samples, String relay, String path, boolean speed) {
        double[] v = samples.stream().filter(s -> s.relay().equals(relay) && s.path().equals(path))
                .mapToDouble(s -> speed ? s.bytesPerSecond() : s.cpuSeconds() / (s.bytes() / 1e9)).sorted().toArray();
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** utime + stime of the process and its threads, from /proc (Linux). */
    private static double cpuSeconds(Process p) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    private static String h2oConfig(CertificateTool.Result pki, int tlsPort, int threads, int plainPort, String paths, Path errorLog) {
        StringBuilder c = new StringBuilder("user: root\n");
        if (threads > 0) {
            c.append("num-threads: ").append(threads).append('\n');
        }
        if (plainPort > 0) {
            c.append("listen:\n  host: 127.0.0.1\n  port: ").append(plainPort).append('\n');
        }
        c.append("listen: &ssl_listen\n  host: 127.0.0.1\n  port: ").append(tlsPort).append('\n')
                .append("  ssl:\n    certificate-file: ").append(pki.serverCertificate()).append('\n')
                .append("    key-file: ").append(pki.serverKey()).append('\n')
                .append("    ocsp-update-interval: 0\n")
                .append("listen:\n  <<: *ssl_listen\n  type: quic\n")
                .append("proxy.connect.emit-proxy-status: ON\n")
                .append("hosts:\n  default:\n    paths:\n").append(paths)
                .append("access-log: /dev/null\nerror-log: ").append(errorLog).append('\n');
        return c.toString();
    }

    private static Path write(Path file, String text) throws IOException {
        return Files.writeString(file, text);
    }

    private static Process start(List<String> cmd, Path output) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    private static void awaitFile(Path file, Process owner) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180); // the first run may build the project
        while (!Files.exists(file)) {
            if (!owner.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("our relay did not start (see its output beside " + file + ")");
            }
            Thread.sleep(100); // polling a file another process writes: there is nothing to wait on
        }
    }

    /** Retries a small fetch until the relay answers (it may still be binding). */
    private void awaitRelay(Relay relay, String url) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Process p = new ProcessBuilder(curl.toString(), "-sS", "-o", "/dev/null", "--max-time", "30", "--proxy-http3",
                    "-p", "-x", "https://127.0.0.1:" + relay.port() + "/", "--proxy-cacert", relay.ca().toString(), url)
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(40, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return;
            }
            if (!relay.process().isAlive() || System.nanoTime() > deadline) {
                throw new IOException("relay on port " + relay.port() + " does not answer a CONNECT");
            }
            Thread.sleep(Duration.ofMillis(200));
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A port free for both TCP and UDP (h2o listens on both for TLS and QUIC). */
    private static int freeTcpAndUdpPort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int port = freeTcpPort();
            try (DatagramSocket d = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no port free for both TCP and UDP on 127.0.0.1");
    }
}
