package org.masquerelay.interop.bench;

import com.sun.net.httpserver.HttpServer;
import org.masquerelay.interop.bench.Clients.Client;
import org.masquerelay.interop.bench.Clients.UdpPath;
import org.masquerelay.interop.bench.Results.Sign;
import org.masquerelay.testpeers.UdpEchoServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The benchmark: every row measured in the same run against its baseline on the same machine. The relay runs in a
 * JVM of its own ({@link RelayWorker}), so its heap, threads and CPU are its own; clients and targets run here.
 */
final class Bench {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Receive buffer of the baseline UDP socket: as large as the relay's UDP sockets may get (see UdpTunnel). */
    static final int RECEIVE_BUFFER = 1 << 20;

    private final BenchConfig cfg;
    private final PrintStream progress;
    final Results results = new Results();
    String profileSummary = "";

    private RelayProcess relay;
    private Targets.Source source;
    private Targets.Hold hold;
    private Targets.Echo echo;
    private HttpServer http;
    private Targets.UdpBlaster blaster;
    private UdpEchoServer udpEcho;
    private Process socat;
    private int socatPort;
    private String socatMissing;
    private final long started = System.nanoTime();

    Bench(BenchConfig cfg, PrintStream progress) {
        this.cfg = cfg;
        this.progress = progress;
    }

    // ------------------------------------------------------------------------------------------------ rows

    static final List<String> TCP_MODES = List.of("direct", "socat", "kwik", "netty");
    static final List<String> UDP_MODES = List.of("direct", "kwik-datagram", "kwik-capsule", "netty-datagram");
    static final List<String> STACKS = List.of("kwik", "netty");

    private static String tcpLabel(String mode) {
        return switch (mode) {
            case "direct" -> "direct loopback TCP";
            case "socat" -> "socat TCP relay (fork)";
            case "kwik" -> "relay, our Kwik client";
            case "netty" -> "relay, Netty/quiche client";
            default -> mode;
        };
    }

    private static String udpLabel(String mode) {
        return switch (mode) {
            case "direct" -> "direct loopback UDP";
            case "kwik-datagram" -> "relay, QUIC datagrams, Kwik client";
            case "kwik-capsule" -> "relay, capsules, Kwik client";
            case "netty-datagram" -> "relay, QUIC datagrams, Netty client";
            default -> mode;
        };
    }

    /** Declares every row up front, so a section that fails still shows its rows (empty, with the reason). */
    void declareRows() {
        List<String> engines = cfg.engines();
        for (int i = 0; i < engines.size(); i++) {
            String e = engines.get(i);
            declareRows(i == 0 ? "" : "@" + e, i == 0 ? "" : " -- relay on the " + e + " engine", i == 0);
        }
    }

    /**
     * @param v       row id suffix of a relay variant ("" for the first engine)
     * @param g       group title suffix
     * @param all     every row (baselines, profile); otherwise the rows that measure the relay only
     */
    private void declareRows(String v, String g, boolean all) {
        if (cfg.runs("tcp")) {
            for (int k : cfg.tunnelCounts()) {
                String group = "TCP download through CONNECT, " + k + (k == 1 ? " tunnel" : " tunnels (one connection)") + g;
                for (String m : TCP_MODES) {
                    if (!all && (m.equals("direct") || m.equals("socat"))) {
                        continue;
                    }
                    results.row("tcp." + m + "." + k + v, group, tcpLabel(m), "Mbit/s", Sign.POSITIVE);
                }
                for (String s : STACKS) {
                    results.row("cpu.relay." + s + "." + k + v, group, "relay CPU per GB moved, " + s + " client", "CPU-s/GB", Sign.POSITIVE);
                    results.row("cpu.client." + s + "." + k + v, group, "client+target CPU per GB, " + s + " client", "CPU-s/GB", Sign.POSITIVE);
                }
            }
        }
        if (cfg.runs("udp")) {
            for (int rate : cfg.udpRatesMbps()) {
                String group = "UDP target->client, " + cfg.udpPayload() + "-byte payloads, offered " + rate + " Mbit/s" + g;
                for (String m : UDP_MODES) {
                    if (!all && m.equals("direct")) {
                        continue;
                    }
                    // Zero delivered is a finding about the relay (every payload lost), not a broken benchmark: only the
                    // baseline must be positive.
                    results.row("udp." + m + "." + rate + ".delivered" + v, group, udpLabel(m) + ": delivered", "Mbit/s",
                            m.equals("direct") ? Sign.POSITIVE : Sign.NON_NEGATIVE);
                    results.row("udp." + m + "." + rate + ".loss" + v, group, udpLabel(m) + ": loss", "%", Sign.NON_NEGATIVE);
                    if (m.endsWith("datagram")) {
                        results.row("udp." + m + "." + rate + ".reordered" + v, group, udpLabel(m) + ": out of order", "%", Sign.NON_NEGATIVE);
                    }
                }
            }
        }
        if (cfg.runs("latency")) {
            String group = "Latency" + g;
            for (String m : List.of("direct", "kwik", "netty")) {
                if (!all && m.equals("direct")) {
                    continue;
                }
                String what = m.equals("direct") ? "direct" : "relay, " + m + " client";
                results.row("lat.ping." + m + ".p50" + v, group, "UDP ping-pong p50, " + what, "us", Sign.POSITIVE);
                results.row("lat.ping." + m + ".p99" + v, group, "UDP ping-pong p99, " + what, "us", Sign.POSITIVE);
            }
            results.row("lat.ping.added.p50" + v, group, "added p50 by the relay (kwik datagrams - direct)", "us", Sign.ANY);
            for (String m : List.of("direct", "kwik", "netty")) {
                if (!all && m.equals("direct")) {
                    continue;
                }
                String what = m.equals("direct") ? "direct TCP connect" : "new tunnel on an open connection, " + m + " client";
                results.row("lat.ttfb." + m + ".p50" + v, group, "HTTP/1.1 time to first byte p50, " + what, "ms", Sign.POSITIVE);
                results.row("lat.ttfb." + m + ".p99" + v, group, "HTTP/1.1 time to first byte p99, " + what, "ms", Sign.POSITIVE);
            }
        }
        if (cfg.runs("setup")) {
            String group = "Set-up" + g;
            for (String s : STACKS) {
                results.row("setup.tunnels." + s + v, group, "tunnels/s on one connection (CONNECT, 200, FIN both ways; "
                        + cfg.setupConcurrency() + " in flight), " + s + " client", "1/s", Sign.POSITIVE);
            }
            for (String s : STACKS) {
                results.row("setup.connections." + s + v, group, "new connections/s (handshake + SETTINGS, close; "
                        + Math.max(1, cfg.setupConcurrency() / 4) + " in flight), " + s + " client", "1/s", Sign.POSITIVE);
            }
        }
        if (cfg.runs("cost")) {
            String group = "Cost in the relay's JVM (heap after GC, threads incl. virtual)" + g;
            for (int n : cfg.idleTunnelSteps()) {
                Sign sign = n >= 100 ? Sign.POSITIVE : Sign.ANY;
                results.row("cost.tunnel.heap." + n + v, group, "heap per idle TCP tunnel, " + n + " open", "KiB", sign);
                results.row("cost.tunnel.threads." + n + v, group, "threads per idle TCP tunnel (all), " + n + " open", "threads", sign);
                results.row("cost.tunnel.platform." + n + v, group, "platform threads per idle TCP tunnel, " + n + " open", "threads", Sign.ANY);
            }
            // Heap after GC jitters by about a megabyte between readings: over a few connections that is most of
            // the figure, so it may even come out negative in a smoke run.
            results.row("cost.conn.heap" + v, group, "heap per idle connection (" + cfg.idleConnections() + " open)", "KiB", Sign.ANY);
            results.row("cost.conn.threads" + v, group, "threads per idle connection (all)", "threads", Sign.POSITIVE);
            results.row("cost.conn.platform" + v, group, "platform threads per idle connection", "threads", Sign.ANY);
            results.row("cost.retained.heap" + v, group, "heap retained after all closed (leak check)", "KiB", Sign.ANY);
            results.row("cost.retained.threads" + v, group, "threads left after all closed (leak check)", "threads", Sign.ANY);
        }
    }

    // ------------------------------------------------------------------------------------------------ run

    void run() throws Exception {
        machineFacts();
        declareRows();
        Files.createDirectories(cfg.out());
        RelayProcess first = RelayProcess.start(cfg.out().resolve("relay-" + cfg.engines().get(0)), cfg.engines().get(0), List.of());
        relay = first;
        try {
            source = new Targets.Source();
            hold = new Targets.Hold();
            echo = new Targets.Echo();
            http = Targets.http();
            blaster = new Targets.UdpBlaster();
            udpEcho = new UdpEchoServer(Targets.LOOPBACK);
            startSocat();
            warmUp();
            section("tcp", this::tcp);
            section("udp", this::udp);
            section("latency", this::latency);
            section("setup", this::setup);
            section("cost", this::cost);
            section("profile", this::profile);
            first.close();
            for (String engine : cfg.engines().subList(1, cfg.engines().size())) {
                progress.println("[bench] relay on the " + engine + " engine");
                results.variant = "@" + engine;
                try (RelayProcess other = RelayProcess.start(cfg.out().resolve("relay-" + engine), engine, List.of())) {
                    relay = other;
                    if (!warmUp()) {
                        results.notes.add("the relay on the " + engine + " engine accepted no client during warm-up: its rows are skipped (log: "
                                + cfg.out().resolve("relay-" + engine).resolve("relay.log") + ")");
                        continue;
                    }
                    section("tcp", this::tcp);
                    section("udp", this::udp);
                    section("latency", this::latency);
                    section("setup", this::setup);
                    section("cost", this::cost);
                } catch (IOException e) {
                    results.notes.add("the relay on the " + engine + " engine did not start: " + e.getMessage());
                } finally {
                    results.variant = "";
                    relay = first;
                }
            }
        } finally {
            stopSocat();
            closeQuietly(source);
            closeQuietly(hold);
            closeQuietly(echo);
            if (http != null) {
                http.stop(0);
            }
            closeQuietly(blaster);
            closeQuietly(udpEcho);
            first.close();
        }
        results.facts.put("load after", loadAverage());
        results.facts.put("elapsed", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
    }

    private interface Section {
        void run() throws Exception;
    }

    private void section(String name, Section body) {
        if (!cfg.runs(name)) {
            return;
        }
        long t0 = System.nanoTime();
        progress.printf(Locale.ROOT, "[bench] %s ...%n", name);
        try {
            body.run();
        } catch (Exception e) {
            results.notes.add("section " + name + " failed: " + e);
            progress.println("[bench] section " + name + " failed: " + e);
            e.printStackTrace(progress);
        }
        progress.printf(Locale.ROOT, "[bench] %s done in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    /**
     * Runs one measurement with a time bound: when it passes, {@code onTimeout} closes what the measurement blocks on
     * (Kwik's stream reads have no timeout), and the run fails with "no progress" instead of hanging.
     */
    <T> T guarded(Duration limit, Runnable onTimeout, Callable<T> body) throws Exception {
        AtomicBoolean fired = new AtomicBoolean();
        ScheduledFuture<?> f = TIMER.schedule(() -> {
            fired.set(true);
            onTimeout.run();
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
        try {
            T value = body.call();
            if (fired.get()) {
                throw new IOException("stalled: did not finish within " + limit.toSeconds() + " s");
            }
            return value;
        } catch (Exception e) {
            if (fired.get()) {
                throw new IOException("stalled: no progress within " + limit.toSeconds() + " s (" + e.getMessage() + ")", e);
            }
            throw e;
        } finally {
            f.cancel(false);
        }
    }

    private Client connect(String stack) throws IOException {
        try {
            return connectOnce(stack);
        } catch (IOException first) {
            // A Kwik client handshake occasionally never completes under CPU load (a lost flight is not resent;
            // docs/upstream.md). One more try keeps a set-up hiccup from voiding a whole row; it is logged, and a
            // second failure fails the row as before.
            progress.println("[bench] " + stack + " connection failed, trying once more: " + reason(first));
            return connectOnce(stack);
        }
    }

    private Client connectOnce(String stack) throws IOException {
        return stack.equals("kwik") ? Clients.Kwik.connect(relay.address(), relay.caCertificate())
                : Clients.Netty.connect(relay.address(), relay.caCertificate());
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 160 ? m.substring(0, 160) + "..." : m));
    }

    /** JIT warm-up of both stacks and the relay: a few MiB each way, not recorded. False if no client got through. */
    private boolean warmUp() {
        progress.println("[bench] warm-up ...");
        boolean any = false;
        for (String stack : STACKS) {
            try (Client c = connect(stack)) {
                guarded(cfg.runLimit(), c::close, () -> c.download(source.authority(), cfg.quick() ? MiB(1) : MiB(8)));
                for (int i = 0; i < (cfg.quick() ? 5 : 50); i++) {
                    guarded(cfg.runLimit(), c::close, () -> {
                        c.tunnelCycle(echo.authority());
                        return null;
                    });
                }
                any = true;
            } catch (Exception e) {
                results.notes.add("warm-up with the " + stack + " client failed: " + reason(e));
            }
        }
        return any;
    }

    private static long MiB(long n) {
        return n * 1024 * 1024;
    }

    // ------------------------------------------------------------------------------------------------ TCP

    private void startSocat() {
        Path bin = Stream.of("/usr/bin/socat", "/usr/local/bin/socat", "/bin/socat").map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (bin == null) {
            socatMissing = "socat not installed (apt-get install -y socat): row skipped";
            return;
        }
        try {
            try (ServerSocket probe = new ServerSocket(0, 1, Targets.LOOPBACK)) {
                socatPort = probe.getLocalPort();
            }
            socat = new ProcessBuilder(bin.toString(), "TCP-LISTEN:" + socatPort + ",bind=127.0.0.1,fork,reuseaddr,backlog=256",
                    "TCP:127.0.0.1:" + source.port()).redirectErrorStream(true).redirectOutput(cfg.out().resolve("socat.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                try (Socket s = new Socket(Targets.LOOPBACK, socatPort)) {
                    s.getOutputStream().write(Targets.Source.request(1));
                    s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
        } catch (Exception e) {
            socatMissing = "socat did not start: " + e.getMessage();
            stopSocat();
        }
    }

    private void stopSocat() {
        if (socat != null) {
            // socat and the children it forked per connection: all started by us.
            socat.descendants().forEach(ProcessHandle::destroy);
            socat.destroy();
            try {
                socat.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            socat = null;
        }
    }

    /** Downloads {@code total} bytes over {@code k} parallel plain TCP connections to host:port. */
    private static long directDownload(int port, long total, int k) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> parts = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                long n = total / k;
                parts.add(pool.submit(() -> {
                    try (Socket s = new Socket(Targets.LOOPBACK, port)) {
                        s.getOutputStream().write(Targets.Source.request(n));
                        InputStream in = s.getInputStream();
                        byte[] buf = new byte[64 * 1024];
                        long got = 0;
                        int r;
                        while (got < n && (r = in.read(buf)) >= 0) {
                            got += r;
                        }
                        return got;
                    }
                }));
            }
            long sum = 0;
            for (Future<Long> f : parts) {
                sum += f.get(60, TimeUnit.SECONDS);
            }
            return sum;
        }
    }

    private static double mbps(long bytes, long nanos) {
        return bytes * 8.0 / nanos * 1e3;
    }

    private void tcp() throws Exception {
        for (int k : cfg.tunnelCounts()) {
            for (int run = 0; run < cfg.runs(); run++) {
                for (String mode : TCP_MODES) {
                    if (!results.variant.isEmpty() && (mode.equals("direct") || mode.equals("socat"))) {
                        continue;
                    }
                    String id = "tcp." + mode + "." + k;
                    try {
                        switch (mode) {
                            case "direct", "socat" -> {
                                if (mode.equals("socat") && socatMissing != null) {
                                    results.note(id, socatMissing);
                                    continue;
                                }
                                int port = mode.equals("direct") ? source.port() : socatPort;
                                long total = cfg.tcpBaselineBytes() / k * k;
                                long t0 = System.nanoTime();
                                long got = directDownload(port, total, k);
                                long dt = System.nanoTime() - t0;
                                check(got, total);
                                results.add(id, mbps(got, dt));
                            }
                            default -> tcpThroughRelay(mode, k, id);
                        }
                    } catch (Exception e) {
                        results.fail(id, reason(e));
                        progress.println("[bench] " + id + " run " + run + " failed: " + reason(e));
                    }
                }
            }
        }
    }

    private static void check(long got, long expected) throws IOException {
        if (got != expected) {
            throw new IOException("received " + got + " of " + expected + " bytes");
        }
    }

    private void tcpThroughRelay(String stack, int k, String id) throws Exception {
        long each = cfg.tcpBytes() / k;
        long total = each * k;
        try (Client c = connect(stack)) {
            long relayCpu0 = relay.cpuNanos();
            long ourCpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            long got = guarded(cfg.runLimit(), c::close, () -> {
                if (k == 1) {
                    return c.download(source.authority(), each);
                }
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<Long>> parts = new ArrayList<>();
                    for (int i = 0; i < k; i++) {
                        parts.add(pool.submit(() -> c.download(source.authority(), each)));
                    }
                    long sum = 0;
                    for (Future<Long> f : parts) {
                        sum += f.get();
                    }
                    return sum;
                }
            });
            long dt = System.nanoTime() - t0;
            long relayCpu = relay.cpuNanos() - relayCpu0;
            long ourCpu = processCpuNanos() - ourCpu0;
            check(got, total);
            results.add(id, mbps(got, dt));
            double gb = got / 1e9;
            results.add("cpu.relay." + stack + "." + k, relayCpu / 1e9 / gb);
            results.add("cpu.client." + stack + "." + k, ourCpu / 1e9 / gb);
        }
    }

    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    // ------------------------------------------------------------------------------------------------ UDP

    /** What one receiver saw of one train. */
    static final class TrainStats implements Clients.Receiver {
        volatile long run;
        private final BitSet seen = new BitSet();
        private long received;
        private long reordered;
        private long maxSeq = -1;

        @Override
        public synchronized void received(byte[] buf, int off, int len) {
            if (len < 16) {
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(buf, off, len);
            if (b.getLong() != run) {
                return;  // a late datagram of an earlier train, or a ping
            }
            long seq = b.getLong();
            if (seq < 0 || seq > Integer.MAX_VALUE || seen.get((int) seq)) {
                return;
            }
            seen.set((int) seq);
            received++;
            if (seq < maxSeq) {
                reordered++;
            }
            maxSeq = Math.max(maxSeq, seq);
        }

        synchronized void reset(long newRun) {
            run = newRun;
            seen.clear();
            received = 0;
            reordered = 0;
            maxSeq = -1;
        }

        synchronized long received() {
            return received;
        }

        synchronized long reordered() {
            return reordered;
        }
    }

    /** A plain UDP socket to the blaster: the baseline. */
    private UdpPath directUdp(int port) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(Targets.LOOPBACK, 0));
        socket.setReceiveBufferSize(RECEIVE_BUFFER);
        socket.connect(new InetSocketAddress(Targets.LOOPBACK, port));
        return new UdpPath() {
            @Override
            public void send(byte[] payload) throws IOException {
                socket.send(new DatagramPacket(payload, payload.length));
            }

            @Override
            public void setReceiver(Clients.Receiver receiver) {
                Thread.ofPlatform().daemon().name("bench-udp-direct").start(() -> {
                    byte[] buf = new byte[65536];
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    while (!socket.isClosed()) {
                        p.setLength(buf.length);
                        try {
                            socket.receive(p);
                        } catch (IOException e) {
                            return;
                        }
                        receiver.received(buf, 0, p.getLength());
                    }
                });
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }

    private void udp() throws Exception {
        for (int run = 0; run < cfg.runs(); run++) {
            for (String mode : UDP_MODES) {
                if (!results.variant.isEmpty() && mode.equals("direct")) {
                    continue;
                }
                Client client = null;
                UdpPath path = null;
                try {
                    if (mode.equals("direct")) {
                        path = directUdp(blaster.port());
                    } else {
                        client = connect(mode.startsWith("kwik") ? "kwik" : "netty");
                        Client c = client;
                        path = guarded(cfg.runLimit(), c::close, () -> c.openUdp(blaster.port(), mode.endsWith("capsule")));
                    }
                    TrainStats stats = new TrainStats();
                    path.setReceiver(stats);
                    for (int rate : cfg.udpRatesMbps()) {
                        String id = "udp." + mode + "." + rate;
                        try {
                            Client c = client;
                            UdpPath p = path;
                            guarded(cfg.runLimit(), () -> {
                                if (c != null) {
                                    c.close();
                                }
                            }, () -> {
                                train(p, stats, id, rate);
                                return null;
                            });
                        } catch (Exception e) {
                            for (String suffix : List.of(".delivered", ".loss", ".reordered")) {
                                if (results.get(id + suffix) != null) {
                                    results.fail(id + suffix, reason(e));
                                }
                            }
                            progress.println("[bench] " + id + " failed: " + reason(e));
                        }
                    }
                } catch (Exception e) {
                    for (int rate : cfg.udpRatesMbps()) {
                        results.fail("udp." + mode + "." + rate + ".delivered", reason(e));
                    }
                } finally {
                    closeQuietly(path);
                    closeQuietly(client);
                }
            }
        }
    }

    private void train(UdpPath path, TrainStats stats, String id, int rateMbps) throws Exception {
        int size = cfg.udpPayload();
        long pps = Math.max(1, Math.round(rateMbps * 1e6 / (size * 8.0)));
        long count = Math.max(10, Math.round(pps * cfg.udpSeconds()));
        long runId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        stats.reset(runId);
        byte[] control = Targets.UdpBlaster.control(runId, pps, count, size);
        // The control datagram can be lost like any other: resend until the train starts (bounded).
        for (int attempt = 0; attempt < 10 && !blaster.started(runId); attempt++) {
            path.send(control);
            for (int i = 0; i < 20 && !blaster.started(runId); i++) {
                Thread.sleep(10);
            }
        }
        long[] sent = blaster.awaitTrain(runId, (long) (cfg.udpSeconds() * 1000) + 5000);
        if (sent == null) {
            throw new IOException("the UDP train did not start or end (control datagram lost?)");
        }
        // Let the tail arrive: until all are in, or nothing new for 300 ms (at most 1 s).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long last = -1;
        while (System.nanoTime() < deadline && stats.received() < sent[0]) {
            long now = stats.received();
            if (now == last) {
                break;
            }
            last = now;
            Thread.sleep(300);
        }
        long received = stats.received();
        double seconds = sent[1] / 1e9;
        results.add(id + ".delivered", received * size * 8.0 / seconds / 1e6);
        results.add(id + ".loss", 100.0 * (sent[0] - received) / sent[0]);
        if (results.get(id + ".reordered") != null) {
            results.add(id + ".reordered", received == 0 ? 0 : 100.0 * stats.reordered() / received);
        }
        double offered = sent[0] * size * 8.0 / seconds / 1e6;
        if (offered < rateMbps * 0.9) {
            results.note(id + ".delivered", String.format(Locale.ROOT, "pacer reached only %.0f Mbit/s", offered));
        }
    }

    // ------------------------------------------------------------------------------------------------ latency

    private void latency() throws Exception {
        for (int run = 0; run < cfg.runs(); run++) {
            for (String m : List.of("direct", "kwik", "netty")) {
                if (results.variant.isEmpty() || !m.equals("direct")) {
                    pingRun(m);
                }
            }
            double direct = lastValueExact("lat.ping.direct.p50");
            double kwik = lastValue("lat.ping.kwik.p50");
            if (!Double.isNaN(direct) && !Double.isNaN(kwik)) {
                results.add("lat.ping.added.p50", kwik - direct);
            }
            for (String m : List.of("direct", "kwik", "netty")) {
                if (results.variant.isEmpty() || !m.equals("direct")) {
                    ttfbRun(m);
                }
            }
        }
    }

    /** The last value of a row of the first engine (the baselines live there). */
    private double lastValueExact(String id) {
        String saved = results.variant;
        results.variant = "";
        try {
            return lastValue(id);
        } finally {
            results.variant = saved;
        }
    }

    private double lastValue(String id) {
        List<Double> v = results.get(id).values;
        return v.isEmpty() ? Double.NaN : v.get(v.size() - 1);
    }

    private void pingRun(String mode) {
        String id = "lat.ping." + mode;
        Client client = null;
        UdpPath path = null;
        try {
            if (mode.equals("direct")) {
                path = directUdp(udpEcho.port());
            } else {
                client = connect(mode);
                Client c = client;
                path = guarded(cfg.runLimit(), c::close, () -> c.openUdp(udpEcho.port(), false));
            }
            ArrayBlockingQueue<Long> replies = new ArrayBlockingQueue<>(1024);
            path.setReceiver((buf, off, len) -> {
                if (len >= 8) {
                    replies.offer(ByteBuffer.wrap(buf, off, len).getLong());
                }
            });
            int warm = Math.max(5, cfg.pings() / 10);
            long[] rtt = new long[cfg.pings()];
            int n = 0;
            int lost = 0;
            byte[] payload = new byte[64];
            long deadline = System.nanoTime() + cfg.runLimit().toNanos();
            for (int i = 0; i < warm + cfg.pings() && System.nanoTime() < deadline; i++) {
                ByteBuffer.wrap(payload).putLong(0, i);
                long t0 = System.nanoTime();
                path.send(payload);
                Long got;
                do {
                    got = replies.poll(500, TimeUnit.MILLISECONDS);
                } while (got != null && got != i);
                long dt = System.nanoTime() - t0;
                if (got == null) {
                    lost++;
                } else if (i >= warm) {
                    rtt[n++] = dt;
                }
            }
            if (n < cfg.pings() / 2) {
                throw new IOException("only " + n + " of " + cfg.pings() + " pings answered (" + lost + " lost)");
            }
            long[] sorted = Arrays.copyOf(rtt, n);
            Arrays.sort(sorted);
            results.add(id + ".p50", percentile(sorted, 50) / 1e3);
            results.add(id + ".p99", percentile(sorted, 99) / 1e3);
            if (lost > 0) {
                results.note(id + ".p99", lost + " pings lost in the last run");
            }
        } catch (Exception e) {
            results.fail(id + ".p50", reason(e));
            results.fail(id + ".p99", reason(e));
        } finally {
            closeQuietly(path);
            closeQuietly(client);
        }
    }

    static long percentile(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private void ttfbRun(String mode) {
        String id = "lat.ttfb." + mode;
        int port = http.getAddress().getPort();
        String authority = "127.0.0.1:" + port;
        byte[] request = Targets.httpGet(port);
        Client client = null;
        try {
            if (!mode.equals("direct")) {
                client = connect(mode);
            }
            Client c = client;
            Callable<Long> once = c == null ? () -> directTtfb(port, request) : () -> c.timeToFirstByte(authority, request);
            int warm = Math.max(3, cfg.ttfbSamples() / 10);
            long[] samples = new long[cfg.ttfbSamples()];
            for (int i = 0; i < warm + samples.length; i++) {
                long t = guarded(Duration.ofSeconds(10), () -> closeQuietly(c), once);
                if (i >= warm) {
                    samples[i - warm] = t;
                }
            }
            Arrays.sort(samples);
            results.add(id + ".p50", percentile(samples, 50) / 1e6);
            results.add(id + ".p99", percentile(samples, 99) / 1e6);
        } catch (Exception e) {
            results.fail(id + ".p50", reason(e));
            results.fail(id + ".p99", reason(e));
        } finally {
            closeQuietly(client);
        }
    }

    private static long directTtfb(int port, byte[] request) throws IOException {
        long t0 = System.nanoTime();
        try (Socket s = new Socket(Targets.LOOPBACK, port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            InputStream in = s.getInputStream();
            if (in.read() < 0) {
                throw new IOException("no response");
            }
            long t1 = System.nanoTime();
            in.transferTo(OutputStream.nullOutputStream());
            return t1 - t0;
        }
    }

    // ------------------------------------------------------------------------------------------------ set-up

    private void setup() throws Exception {
        for (int run = 0; run < cfg.runs(); run++) {
            for (String stack : STACKS) {
                String id = "setup.tunnels." + stack;
                try (Client c = connect(stack)) {
                    double rate = guarded(cfg.runLimit(), c::close,
                            () -> parallelRate(cfg.setupTunnels(), cfg.setupConcurrency(), () -> {
                                c.tunnelCycle(echo.authority());
                                return null;
                            }));
                    results.add(id, rate);
                } catch (Exception e) {
                    results.fail(id, reason(e));
                }
            }
            for (String stack : STACKS) {
                String id = "setup.connections." + stack;
                try {
                    double rate = parallelRate(cfg.setupConnections(), Math.max(1, cfg.setupConcurrency() / 4), () -> {
                        Client c = connect(stack);
                        c.close();
                        return null;
                    });
                    results.add(id, rate);
                } catch (Exception e) {
                    results.fail(id, reason(e));
                }
            }
        }
    }

    /** Runs {@code total} tasks with {@code concurrency} in flight; tasks per second. Bounded by the run limit. */
    private double parallelRate(int total, int concurrency, Callable<Void> task) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong failures = new AtomicLong();
        List<Throwable> firstFailure = new ArrayList<>();
        long deadline = System.nanoTime() + cfg.runLimit().toNanos();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                pool.submit(() -> {
                    while (next.getAndIncrement() < total && System.nanoTime() < deadline) {
                        try {
                            task.call();
                        } catch (Exception e) {
                            failures.incrementAndGet();
                            synchronized (firstFailure) {
                                if (firstFailure.isEmpty()) {
                                    firstFailure.add(e);
                                }
                            }
                        }
                    }
                    return null;
                });
            }
        }
        long dt = System.nanoTime() - t0;
        if (failures.get() > 0) {
            throw new IOException(failures.get() + " of " + total + " failed, first: " + reason(firstFailure.get(0)));
        }
        if (next.get() < total) {
            throw new IOException("only " + next.get() + " of " + total + " done within " + cfg.runLimit().toSeconds() + " s");
        }
        return total / (dt / 1e9);
    }

    // ------------------------------------------------------------------------------------------------ cost

    private void cost() throws Exception {
        for (int run = 0; run < cfg.runs(); run++) {
            try {
                costRun();
            } catch (Exception e) {
                for (Results.Row r : results.rows()) {
                    boolean ours = results.variant.isEmpty() ? !r.id.contains("@") : r.id.endsWith(results.variant);
                    if (r.id.startsWith("cost.") && ours) {
                        results.fail(r.id.substring(0, r.id.length() - results.variant.length()), reason(e));
                    }
                }
                progress.println("[bench] cost run failed: " + reason(e));
            }
        }
    }

    private void costRun() throws Exception {
        Thread.sleep(1000);  // let connections of earlier rows finish closing in the relay
        RelayProcess.Stats before = relay.stats();
        // Tunnels: one connection, idle TCP tunnels to a target that holds them open.
        try (Client c = connect("kwik")) {
            RelayProcess.Stats connected = relay.stats();
            int open = 0;
            for (int step : cfg.idleTunnelSteps()) {
                int want = step - open;
                guarded(Duration.ofSeconds(60), c::close, () -> parallelRate(want, 16, () -> {
                    c.openIdle(hold.authority());
                    return null;
                }));
                open = step;
                // The relay's side of each tunnel is up once the target has accepted it.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (hold.openConnections() < open && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                Thread.sleep(200);
                RelayProcess.Stats s = relay.stats();
                results.add("cost.tunnel.heap." + step, (s.heapUsed() - connected.heapUsed()) / 1024.0 / step);
                results.add("cost.tunnel.threads." + step, (double) (s.allThreads() - connected.allThreads()) / step);
                results.add("cost.tunnel.platform." + step, (double) (s.platformThreads() - connected.platformThreads()) / step);
            }
        }
        // Connections: idle, no tunnels.
        List<Client> clients = new ArrayList<>();
        try {
            Thread.sleep(1000);
            RelayProcess.Stats base = relay.stats();
            for (int i = 0; i < cfg.idleConnections(); i++) {
                clients.add(connect("kwik"));
            }
            Thread.sleep(200);
            RelayProcess.Stats s = relay.stats();
            int n = cfg.idleConnections();
            results.add("cost.conn.heap", (s.heapUsed() - base.heapUsed()) / 1024.0 / n);
            results.add("cost.conn.threads", (double) (s.allThreads() - base.allThreads()) / n);
            results.add("cost.conn.platform", (double) (s.platformThreads() - base.platformThreads()) / n);
        } finally {
            clients.forEach(Bench::closeQuietly);
        }
        // Everything closed: what is left over is a leak (or a cache).
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hold.openConnections() > 0 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        Thread.sleep(2000);
        RelayProcess.Stats after = relay.stats();
        results.add("cost.retained.heap", (after.heapUsed() - before.heapUsed()) / 1024.0);
        results.add("cost.retained.threads", after.allThreads() - before.allThreads());
    }

    // ------------------------------------------------------------------------------------------------ profile

    private void profile() throws Exception {
        StringBuilder summary = new StringBuilder();
        for (String stack : STACKS) {
            Path jfr = cfg.out().resolve("relay-tcp1-" + stack + ".jfr").toAbsolutePath();
            try (Client c = connect(stack)) {
                relay.jfrStart();
                long t0 = System.nanoTime();
                long cpu0 = relay.cpuNanos();
                long got;
                try {
                    got = guarded(Duration.ofSeconds(60), c::close, () -> c.download(source.authority(), cfg.profileBytes()));
                } finally {
                    relay.jfrStop(jfr);
                }
                long dt = System.nanoTime() - t0;
                long cpu = relay.cpuNanos() - cpu0;
                summary.append(String.format(Locale.ROOT, "### Relay under JFR: TCP download, 1 tunnel, %s client, %d MiB at %.0f Mbit/s, relay CPU %.2f s%n%n",
                        stack, got >> 20, mbps(got, dt), cpu / 1e9));
                summary.append("Recording: ").append(jfr).append("\n\n");
                summary.append(JfrSummary.summarize(jfr)).append('\n');
            } catch (Exception e) {
                summary.append("Profile with the ").append(stack).append(" client failed: ").append(reason(e)).append("\n\n");
            }
        }
        profileSummary = summary.toString();
    }

    // ------------------------------------------------------------------------------------------------ facts

    private void machineFacts() {
        var f = results.facts;
        Runtime rt = Runtime.getRuntime();
        f.put("cores", String.valueOf(rt.availableProcessors()));
        f.put("cpu", firstLine("/proc/cpuinfo", "model name").replaceFirst("^model name\\s*:\\s*", ""));
        f.put("memory", String.format(Locale.ROOT, "%.1f GiB",
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() / (double) (1L << 30)));
        f.put("os", firstLine("/etc/os-release", "PRETTY_NAME").replaceFirst("^PRETTY_NAME=", "").replace("\"", "")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        f.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")");
        f.put("relay jvm", String.join(" ", RelayProcess.JVM_OPTIONS) + ", GC " + gcName() + ", own process");
        f.put("relay engines", String.join(", ", cfg.engines()) + " (rows of the 2nd engine are marked)");
        f.put("stacks", jarVersion("kwik-") + ", " + jarVersion("flupke-") + ", " + jarVersion("netty-codec-http3-")
                + ", " + jarVersion("netty-codec-native-quic-"));
        f.put("load before", loadAverage());
        f.put("date", Instant.now().toString());
        f.put("mode", cfg.quick() ? "quick (smoke sizes, 1 run: not a measurement)" : cfg.runs() + " runs per figure");
    }

    private static String gcName() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().map(g -> g.getName()).findFirst().orElse("?")
                .replaceFirst(" .*", "");
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min)";
        } catch (IOException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static String firstLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(prefix)).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String jarVersion(String prefix) {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith(prefix) && name.endsWith(".jar") && Character.isDigit(name.charAt(prefix.length()))) {
                return name.substring(0, name.length() - 4).replaceFirst("-(linux|osx|windows)-.*$", "");
            }
        }
        return prefix + "?";
    }
}
