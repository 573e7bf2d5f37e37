package org.masquerelay.interop.bench;

import com.sun.net.httpserver.HttpServer;
import org.masquerelay.interop.bench.Clients.Client;
import org.masquerelay.testpeers.UdpEchoServer;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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

    final BenchConfig cfg;
    final PrintStream progress;
    final Results results = new Results();
    String profileSummary = "";

    // What the scenarios measure against: the relay under test and the targets, started by run().
    RelayProcess relay;
    Targets.Source source;
    Targets.Hold hold;
    Targets.Echo echo;
    HttpServer http;
    Targets.UdpBlaster blaster;
    UdpEchoServer udpEcho;
    private final long started = System.nanoTime();
    private final TcpScenario tcp = new TcpScenario(this);

    Bench(BenchConfig cfg, PrintStream progress) {
        this.cfg = cfg;
        this.progress = progress;
    }

    /** Declares every row up front, so a section that fails still shows its rows (empty, with the reason). */
    void declareRows() {
        BenchRows.declare(results, cfg);
    }

    void run() throws Exception {
        MachineFacts.record(results.facts, cfg);
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
            tcp.startSocat();
            warmUp();
            sections(cfg.engines().get(0), true);
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
                    sections(engine, false);
                } catch (IOException e) {
                    results.notes.add("the relay on the " + engine + " engine did not start: " + e.getMessage());
                } finally {
                    results.variant = "";
                    relay = first;
                }
            }
        } finally {
            tcp.stopSocat();
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
        results.facts.put("load after", MachineFacts.loadAverage());
        results.facts.put("elapsed", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
    }

    /** The scenarios in their order; the profile (with JFR) only on the first engine. */
    private void sections(String engine, boolean withProfile) {
        section("tcp", tcp::run);
        section("udp", new UdpScenario(this)::run);
        section("latency", new LatencyScenario(this)::run);
        section("setup", new SetupScenario(this)::run);
        section("cost", new CostScenario(this)::run);
        section("cli", new CliScenario(this)::run);
        if (withProfile) {
            section("profile", new ProfileScenario(this)::run);
        }
        section("scale", new ScaleScenario(this, engine)::run);
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

    static void closeQuietly(AutoCloseable c) {
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

    Client connect(String stack) throws IOException {
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

    static String reason(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 160 ? m.substring(0, 160) + "..." : m));
    }

    /** JIT warm-up of both stacks and the relay: a few MiB each way, not recorded. False if no client got through. */
    private boolean warmUp() {
        progress.println("[bench] warm-up ...");
        boolean any = false;
        for (String stack : BenchRows.STACKS) {
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

    static long MiB(long n) {
        return n * 1024 * 1024;
    }

    /** Runs {@code total} tasks with {@code concurrency} in flight; tasks per second. Bounded by the run limit. */
    double parallelRate(int total, int concurrency, Callable<Void> task) throws Exception {
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

    static double mbps(long bytes, long nanos) {
        return bytes * 8.0 / nanos * 1e3;
    }

    static void check(long got, long expected) throws IOException {
        if (got != expected) {
            throw new IOException("received " + got + " of " + expected + " bytes");
        }
    }

    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }
}
