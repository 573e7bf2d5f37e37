package org.masquerelay.interop.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.masquerelay.client.RelayClient;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.UdpEchoServer;

/**
 * The fault lab: the relay (a process of its own), its client and its targets in a network namespace made for the
 * run, and faults applied with nftables on that namespace's loopback: random loss of 1 % and 5 % of the relay's UDP
 * packets, a target that resets mid-transfer, a target that vanishes (blackhole), the relay killed. Each scenario
 * states what every tunnel must do; a tunnel that hangs, ends "cleanly" with bytes missing, or delivers a wrong byte
 * fails the lab. {@link #runIsolated} makes the namespace and runs {@link #main} inside it.
 */
public final class FaultLab {
    private static final String RESULT = "fault-lab-result ";
    private static final Duration IDLE = Duration.ofSeconds(4);
    private static final Duration CONNECT = Duration.ofSeconds(3);
    private static final int MIB = 1024 * 1024;

    private final Path dir;
    private final String engine;
    private final PrintStream out;
    private final List<String> failures = new ArrayList<>();
    private int tunnels;
    private int complete;
    private int failedCleanly;

    private FaultLab(Path dir, String engine, PrintStream out) {
        this.dir = dir;
        this.engine = engine;
        this.out = out;
    }

    /** What a lab run found, as parsed from the inside process's last line. */
    public record Result(int exitCode, int scenarios, int tunnels, int complete, int failedCleanly, List<String> failures,
                         String output) {
        public boolean passed() {
            return exitCode == 0 && failures.isEmpty();
        }
    }

    /** Why the lab cannot run on this machine, or empty. */
    public static Optional<String> unavailable() {
        return Netns.unavailable();
    }

    /**
     * Makes a namespace, runs the lab inside it (a child JVM on this class path), removes the namespace.
     *
     * @param echo where the child's lines go as they come, besides the result
     */
    public static Result runIsolated(Path dir, String engine, PrintStream echo) throws IOException, InterruptedException {
        Optional<String> why = unavailable();
        if (why.isPresent()) {
            throw new IOException(why.get());
        }
        Files.createDirectories(dir);
        String ns = "mrlab" + ProcessHandle.current().pid();
        Netns.run(List.of("ip", "netns", "add", ns));
        try {
            Netns.run(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
            List<String> cmd = List.of(Netns.which("ip").orElse("ip"), "netns", "exec", ns,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                    "--enable-native-access=ALL-UNNAMED", "-Djdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file", "/etc/hosts"),
                    "-cp", System.getProperty("java.class.path"), FaultLab.class.getName(), dir.toAbsolutePath().toString(), engine);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            StringBuilder output = new StringBuilder();
            String result = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.append(line).append('\n');
                    if (line.startsWith(RESULT)) {
                        result = line.substring(RESULT.length());
                    } else {
                        echo.println(line);
                    }
                }
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            if (result == null) {
                return new Result(p.exitValue(), 0, 0, 0, 0, List.of("the lab ended without a result"), output.toString());
            }
            String[] f = result.split(" ", 5);
            List<String> failures = f.length > 4 && !f[4].isEmpty() ? List.of(f[4].split(" \\| ")) : List.of();
            return new Result(p.exitValue(), Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                    Integer.parseInt(f[3]), failures, output.toString());
        } finally {
            Netns.run(List.of("ip", "netns", "del", ns));
        }
    }

    /** Inside the namespace: state-dir engine. */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        FaultLab lab = new FaultLab(Path.of(args[0]), args.length > 1 ? args[1] : "auto", out);
        int scenarios = 0;
        try {
            scenarios = lab.runAll();
        } catch (Exception e) {
            lab.failures.add("lab error: " + e);
        }
        out.println(RESULT + scenarios + " " + lab.tunnels + " " + lab.complete + " " + lab.failedCleanly + " "
                + String.join(" | ", lab.failures));
        System.exit(lab.failures.isEmpty() ? 0 : 1);
    }

    private int runAll() throws Exception {
        Netns.createTable();
        int scenarios = 0;
        CountDownLatch resetSignal = new CountDownLatch(2);
        try (TcpEchoServer echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
             UdpEchoServer udpEcho = new UdpEchoServer(InetAddress.getLoopbackAddress());
             SourceServer source = new SourceServer(4 * MIB, 7, -1);
             SourceServer resetting = new SourceServer(8 * MIB, 11, 512 * 1024, resetSignal);
             SourceServer endless = new SourceServer(256L * MIB, 13, -1)) {
            try (LabRelayProcess relay = LabRelayProcess.start(dir.resolve("relay"), engine, IDLE, CONNECT);
                 RelayClient client = client(relay)) {
                for (int loss : new int[] {0, 1, 5}) {
                    Netns.clearRules();
                    if (loss > 0) {
                        Netns.dropUdp(relay.port(), loss);
                    }
                    String name = loss == 0 ? "no fault" : loss + " % UDP loss";
                    List<Outcome> outcomes = mixed(client, echo, udpEcho, source, name, loss == 0 ? 60 : 90);
                    long dropped = Netns.dropped();
                    judge(name + (loss > 0 ? " (" + dropped + " packets dropped)" : ""), outcomes,
                            o -> o.kind() == Outcome.Kind.COMPLETE);
                    scenarios++;
                }
                Netns.clearRules();
                scenarios += targetReset(client, echo, resetting, resetSignal);
                scenarios += targetBlackhole(client, echo, endless);
                Netns.clearRules();
                judge("relay still serving after the faults",
                        List.of(Transfers.tcpEcho(client, "echo after faults", "127.0.0.1", echo.port(), MIB, 99,
                                Duration.ofSeconds(30))), o -> o.kind() == Outcome.Kind.COMPLETE);
                scenarios++;
            }
            scenarios += relayKilled(endless, udpEcho);
        }
        return scenarios;
    }

    private RelayClient client(LabRelayProcess relay) {
        return RelayClient.builder().relay(relay.url()).trustCaFile(relay.ca()).connectTimeout(Duration.ofSeconds(10))
                .requestTimeout(Duration.ofSeconds(15)).idleTimeout(Duration.ofSeconds(10)).build();
    }

    /** Three TCP echoes, two TCP downloads and two UDP echoes at once. */
    private List<Outcome> mixed(RelayClient client, TcpEchoServer echo, UdpEchoServer udpEcho, SourceServer source,
                                String scenario, int deadlineSeconds) {
        Duration deadline = Duration.ofSeconds(deadlineSeconds);
        List<CompletableFuture<Outcome>> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long seed = 100 + i;
            int n = i;
            all.add(async(() -> Transfers.tcpEcho(client, "tcp echo " + n, "127.0.0.1", echo.port(), MIB, seed, deadline)));
        }
        for (int i = 0; i < 2; i++) {
            int n = i;
            all.add(async(() -> Transfers.tcpDownload(client, "tcp download " + n, "127.0.0.1", source.port(), 4 * MIB,
                    7, deadline, v -> { })));
        }
        for (int i = 0; i < 2; i++) {
            long seed = 200 + i;
            int n = i;
            all.add(async(() -> Transfers.udpEcho(client, "udp echo " + n, "127.0.0.1", udpEcho.port(), 100, 1000, seed,
                    Duration.ofMillis(300), 8, deadline)));
        }
        return all.stream().map(CompletableFuture::join).toList();
    }

    /**
     * The target sends 512 KiB and, once the clients have read half of it, resets: those tunnels must fail visibly
     * (never a clean end of stream); a parallel tunnel must not notice.
     */
    private int targetReset(RelayClient client, TcpEchoServer echo, SourceServer resetting, CountDownLatch resetSignal) {
        Duration deadline = Duration.ofSeconds(30);
        List<CompletableFuture<Outcome>> all = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int n = i;
            boolean[] signalled = {false};
            all.add(async(() -> Transfers.tcpDownload(client, "reset download " + n, "127.0.0.1", resetting.port(),
                    8 * MIB, 11, deadline, v -> {
                        if (v >= 256 * 1024 && !signalled[0]) {
                            signalled[0] = true;
                            resetSignal.countDown(); // the target resets once both clients are mid-transfer
                        }
                    })));
        }
        all.add(async(() -> Transfers.tcpEcho(client, "parallel echo", "127.0.0.1", echo.port(), 2 * MIB, 300, deadline)));
        List<Outcome> outcomes = all.stream().map(CompletableFuture::join).toList();
        judge("target reset mid-transfer", outcomes, o -> o.tunnel().startsWith("parallel")
                ? o.kind() == Outcome.Kind.COMPLETE : o.kind() == Outcome.Kind.FAILED && o.verified() <= 512 * 1024);
        return 1;
    }

    /**
     * The target vanishes mid-download (every packet to and from it dropped): the relay's idle timeout must end the
     * tunnel; a new tunnel to it must fail at the relay's connect timeout (504).
     */
    private int targetBlackhole(RelayClient client, TcpEchoServer echo, SourceServer endless) throws Exception {
        Duration deadline = Duration.ofSeconds(30);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Outcome> download = async(() -> Transfers.tcpDownload(client, "blackholed download",
                "127.0.0.1", endless.port(), 256L * MIB, 13, deadline, v -> {
                    if (v >= 256 * 1024) {
                        started.countDown();
                    }
                }));
        if (!started.await(30, TimeUnit.SECONDS)) {
            failures.add("target blackhole: the download never started");
        }
        Netns.blackholeTcp(endless.port());
        Outcome during = download.join();
        Outcome fresh = Transfers.tcpDownload(client, "new tunnel to blackhole", "127.0.0.1", endless.port(),
                256L * MIB, 13, deadline, v -> { });
        Outcome parallel = Transfers.tcpEcho(client, "echo beside blackhole", "127.0.0.1", echo.port(), MIB, 301, deadline);
        judge("target blackhole", List.of(during, fresh, parallel), o -> o.tunnel().startsWith("echo")
                ? o.kind() == Outcome.Kind.COMPLETE
                : o.kind() == Outcome.Kind.FAILED && o.elapsed().compareTo(Duration.ofSeconds(20)) < 0);
        return 1;
    }

    /** The relay is killed (SIGKILL) mid-transfer: every tunnel must end with an error, within the deadline. */
    private int relayKilled(SourceServer endless, UdpEchoServer udpEcho) throws Exception {
        Duration deadline = Duration.ofSeconds(40);
        try (LabRelayProcess relay = LabRelayProcess.start(dir.resolve("relay-killed"), engine, IDLE, CONNECT);
             RelayClient client = client(relay)) {
            CountDownLatch started = new CountDownLatch(3);
            List<CompletableFuture<Outcome>> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                boolean[] counted = {false};
                all.add(async(() -> Transfers.tcpDownload(client, "download " + n, "127.0.0.1", endless.port(),
                        256L * MIB, 13, deadline, v -> {
                            if (v >= 256 * 1024 && !counted[0]) {
                                counted[0] = true;
                                started.countDown();
                            }
                        })));
            }
            all.add(async(() -> Transfers.udpEcho(client, "udp echo", "127.0.0.1", udpEcho.port(), 100000, 1000, 400,
                    Duration.ofMillis(300), 3, deadline)));
            if (!started.await(30, TimeUnit.SECONDS)) {
                failures.add("relay killed: the downloads never started");
            }
            long killedAt = System.nanoTime();
            relay.kill();
            List<Outcome> outcomes = all.stream().map(CompletableFuture::join).toList();
            judge("relay killed (SIGKILL)", outcomes, o -> o.kind() == Outcome.Kind.FAILED);
            out.printf("  every tunnel ended within %.1f s of the kill%n",
                    Duration.ofNanos(System.nanoTime() - killedAt).toMillis() / 1000.0);
        }
        return 1;
    }

    private void judge(String scenario, List<Outcome> outcomes, Predicate<Outcome> expected) {
        out.println("== " + scenario);
        for (Outcome o : outcomes) {
            boolean ok = o.clean() && expected.test(o);
            out.println("  " + (ok ? "ok   " : "FAIL ") + o);
            tunnels++;
            if (o.kind() == Outcome.Kind.COMPLETE) {
                complete++;
            } else if (o.kind() == Outcome.Kind.FAILED) {
                failedCleanly++;
            }
            if (!ok) {
                failures.add(scenario + ": " + o.tunnel() + " " + o.kind());
            }
        }
    }

    private static CompletableFuture<Outcome> async(java.util.function.Supplier<Outcome> transfer) {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> f.complete(transfer.get()));
        return f;
    }
}
