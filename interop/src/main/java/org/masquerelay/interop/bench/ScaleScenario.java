package org.masquerelay.interop.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.masquerelay.interop.bench.Clients.Client;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scale rows (issue 11's targets): many idle TCP tunnels spread over a few connections, as a fleet of clients would
 * hold them, and many idle client connections, each on a relay of its own with the per-client caps lifted
 * ({@link RelayWorker#scaled}). Reports what they cost the relay process (heap after GC, threads, descriptors, RSS),
 * how fast they were set up, and whether a new client still gets a tunnel promptly at that load.
 * <p>
 * Keeps the machine usable: a bounded number of set-ups in flight, a time limit per row (the row fails with how many
 * were reached), clients on a few shared event loops, loopback only.
 */
final class ScaleScenario {
    /** Set-ups in flight during a ramp: enough to keep two relay loops busy, few enough not to trip Retry (256). */
    static final int IN_FLIGHT = 32;
    /** Event loops of the bench's client connections (a real client fleet is many processes; this is one). */
    static final int CLIENT_LOOPS = 4;
    static final Duration CLIENT_IDLE = Duration.ofMinutes(5);
    /**
     * Connections the Kwik relay is asked to hold: Kwik runs platform threads per connection (sender, receiver,
     * timers), so 10,000 connections would be tens of thousands of OS threads on this machine.
     */
    static final int KWIK_CONNECTIONS = 1_000;

    static int connections(BenchConfig cfg, String engine) {
        return engine.equals("kwik") ? Math.min(cfg.scaleConnections(), KWIK_CONNECTIONS) : cfg.scaleConnections();
    }

    private final Bench b;
    private final String engine;

    ScaleScenario(Bench b, String engine) {
        this.b = b;
        this.engine = engine;
    }

    void run() throws Exception {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(CLIENT_LOOPS, NioIoHandler.newFactory());
        try {
            section("scale.tunnels", tunnels(loops));
            section("scale.conns", connections(loops));
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
        }
    }

    private interface Body {
        void run(RelayProcess relay) throws Exception;
    }

    /** Each row on a fresh relay, so what one row leaves behind does not count in the next. */
    private void section(String prefix, Body body) {
        String dir = "relay-scale-" + engine + "-" + prefix.substring(prefix.indexOf('.') + 1);
        try (RelayProcess relay = RelayProcess.start(b.cfg.out().resolve(dir), engine, List.of(),
                List.of(Integer.toString(RelayWorker.SCALE_MAX_TUNNELS), "scale"))) {
            body.run(relay);
        } catch (Exception e) {
            for (Results.Row r : b.results.rows()) {
                if (r.id.startsWith(prefix + ".") && r.id.endsWith(b.results.variant) && r.values.isEmpty()) {
                    b.results.fail(r.id.substring(0, r.id.length() - b.results.variant.length()), Bench.reason(e));
                }
            }
            b.progress.println("[bench] " + prefix + " failed: " + Bench.reason(e));
        }
    }

    // ------------------------------------------------------------------------------------------------ tunnels

    private Body tunnels(EventLoopGroup loops) {
        return relay -> {
            int total = b.cfg.scaleTunnels();
            int perConnection = Math.min(total, b.cfg.scaleTunnelsPerConnection());
            int connections = (total + perConnection - 1) / perConnection;
            List<Client> clients = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    clients.add(connect(relay, loops));
                }
                Sample connected = Sample.of(relay);
                java.nio.file.Path before = b.cfg.out().resolve("scale-" + engine + "-histogram-before.txt");
                java.nio.file.Path after = b.cfg.out().resolve("scale-" + engine + "-histogram-tunnels.txt");
                relay.histogram(before);
                AtomicInteger next = new AtomicInteger();
                Ramp ramp = ramp(total, "tunnels", () -> {
                    int i = next.getAndIncrement();
                    clients.get(i % connections).openIdle(b.hold.authority());
                });
                int open = ramp.done();
                awaitHeld(open);
                Sample s = Sample.of(relay);
                b.results.add("scale.tunnels.open", open);
                b.results.add("scale.tunnels.connections", connections);
                b.results.add("scale.tunnels.rate", ramp.rate());
                b.results.add("scale.tunnels.heap", (s.heap - connected.heap) / 1024.0 / open);
                b.results.add("scale.tunnels.rss", (s.rss - connected.rss) / 1024.0 / open);
                b.results.add("scale.tunnels.threads", (double) (s.allThreads - connected.allThreads) / open);
                b.results.add("scale.tunnels.platform", s.platformThreads);
                b.results.add("scale.tunnels.fds", (double) (s.files - connected.files) / open);
                relay.histogram(after);
                b.results.add("scale.tunnels.probe", probe(relay, loops));
                String classes = HeapHistogram.describe(before, after, open, "idle tunnel");
                java.nio.file.Files.writeString(b.cfg.out().resolve("scale-" + engine + "-heap-per-tunnel.txt"), classes);
                b.progress.print("[bench] " + classes);
                b.progress.printf(Locale.ROOT, "[bench] %,d idle tunnels on %d connections: heap %s, RSS %s MiB, %d threads"
                                + " (%d platform), %d descriptors%n", open, connections,
                        kib((s.heap - connected.heap) / (double) open) + " KiB each", s.rss >> 20, s.allThreads,
                        s.platformThreads, s.files);
            } finally {
                closeAll(clients);
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (b.hold.openConnections() > 0 && System.nanoTime() < until) {
                Thread.sleep(50);
            }
        };
    }

    private void awaitHeld(int total) throws Exception {
        // The relay's side of each tunnel is up once the target has accepted it.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (b.hold.openConnections() < total && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        if (b.hold.openConnections() < total) {
            throw new IOException("the target holds " + b.hold.openConnections() + " of " + total + " tunnels' connections");
        }
    }

    // ------------------------------------------------------------------------------------------------ connections

    private Body connections(EventLoopGroup loops) {
        return relay -> {
            int total = connections(b.cfg, engine);
            List<Client> clients = Collections.synchronizedList(new ArrayList<>());
            try {
                Sample base = Sample.of(relay);
                Ramp ramp = ramp(total, "connections", () -> clients.add(connect(relay, loops)));
                int open = ramp.done();
                Sample s = Sample.of(relay);
                b.results.add("scale.conns.open", open);
                b.results.add("scale.conns.rate", ramp.rate());
                b.results.add("scale.conns.heap", (s.heap - base.heap) / 1024.0 / open);
                b.results.add("scale.conns.rss", (s.rss - base.rss) / 1024.0 / open);
                b.results.add("scale.conns.threads", (double) (s.allThreads - base.allThreads) / open);
                b.results.add("scale.conns.platform", s.platformThreads);
                b.results.add("scale.conns.fds", s.files);
                b.results.add("scale.conns.probe", probe(relay, loops));
                // A new tunnel on the connection made first: it has been idle for the whole ramp.
                long t0 = System.nanoTime();
                clients.get(0).tunnelCycle(b.echo.authority());
                b.results.add("scale.conns.probe.old", (System.nanoTime() - t0) / 1e6);
                b.progress.printf(Locale.ROOT, "[bench] %,d idle connections: heap %s KiB each, RSS %s MiB, %d threads"
                                + " (%d platform), %d descriptors%n", open, kib((s.heap - base.heap) / (double) open),
                        s.rss >> 20, s.allThreads, s.platformThreads, s.files);
            } finally {
                closeAll(clients);
            }
        };
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Client connect(RelayProcess relay, EventLoopGroup loops) throws IOException {
        return Clients.Netty.connect(relay.address(), relay.caCertificate(), loops, CLIENT_IDLE);
    }

    /**
     * A new client at that load: handshake, CONNECT to the HTTP origin, first byte of its answer; milliseconds.
     * The best of three, so one GC pause of the bench JVM does not make the figure.
     */
    private double probe(RelayProcess relay, EventLoopGroup loops) throws IOException {
        double best = Double.MAX_VALUE;
        byte[] get = Targets.httpGet(b.http.getAddress().getPort());
        String origin = "127.0.0.1:" + b.http.getAddress().getPort();
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            try (Client c = connect(relay, loops)) {
                c.timeToFirstByte(origin, get);
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        return best;
    }

    private interface Step {
        void run() throws Exception;
    }

    /**
     * {@code total} set-ups with {@link #IN_FLIGHT} at a time, within the row's time limit. The first failure stops
     * it; running out of time does not (noted, and the figures are taken at what was reached).
     */
    private Ramp ramp(int total, String what, Step step) throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + b.cfg.scaleRowLimit().toNanos();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < IN_FLIGHT; w++) {
                pool.submit(() -> {
                    while (failure.get() == null && System.nanoTime() < deadline && started.getAndIncrement() < total) {
                        try {
                            step.run();
                            int n = done.incrementAndGet();
                            if (n % 2000 == 0) {
                                b.progress.printf(Locale.ROOT, "[bench]   %,d of %,d (%.0f s)%n", n, total,
                                        (System.nanoTime() - t0) / 1e9);
                            }
                        } catch (Exception e) {
                            failure.compareAndSet(null, e);
                        }
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (failure.get() != null) {
            throw new IOException(done.get() + " of " + total + " set up, then: " + Bench.reason(failure.get()), failure.get());
        }
        if (done.get() < total) {
            // Not an error of the run: the relay's limit on this machine. The row reports what was reached.
            b.results.notes.add(String.format(Locale.ROOT, "scale (%s relay): only %,d of %,d %s set up within %d s;"
                            + " the row's figures are at %,d", engine, done.get(), total, what, b.cfg.scaleRowLimit().toSeconds(),
                    done.get()));
        }
        return new Ramp(done.get(), done.get() / seconds);
    }

    /** How far a ramp got: set-ups done, and per second. */
    private record Ramp(int done, double rate) {}

    private static void closeAll(List<Client> clients) {
        List<Client> copy;
        synchronized (clients) {
            copy = new ArrayList<>(clients);
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicInteger next = new AtomicInteger();
            for (int w = 0; w < IN_FLIGHT; w++) {
                pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < copy.size()) {
                        Bench.closeQuietly(copy.get(i));
                    }
                });
            }
        }
    }

    private static String kib(double bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1024);
    }

    /** The relay process at one moment: heap after GC and threads from the worker, descriptors and RSS from /proc. */
    private record Sample(long heap, int platformThreads, int allThreads, long files, long rss) {
        static Sample of(RelayProcess relay) throws IOException {
            RelayProcess.Stats s = relay.stats();
            return new Sample(s.heapUsed(), s.platformThreads(), s.allThreads(), relay.openFiles(), relay.rss());
        }
    }
}
