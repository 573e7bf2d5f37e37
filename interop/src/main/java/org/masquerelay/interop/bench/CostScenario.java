package org.masquerelay.interop.bench;

import org.masquerelay.interop.bench.Clients.Client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What idle tunnels and connections cost in the relay's JVM (heap after GC, threads), and what is left after closing. */
final class CostScenario {
    private final Bench b;

    CostScenario(Bench b) {
        this.b = b;
    }

    void run() throws Exception {
        for (int run = 0; run < b.cfg.runs(); run++) {
            try {
                costRun();
            } catch (Exception e) {
                for (Results.Row r : b.results.rows()) {
                    boolean ours = b.results.variant.isEmpty() ? !r.id.contains("@") : r.id.endsWith(b.results.variant);
                    if (r.id.startsWith("cost.") && ours) {
                        b.results.fail(r.id.substring(0, r.id.length() - b.results.variant.length()), Bench.reason(e));
                    }
                }
                b.progress.println("[bench] cost run failed: " + Bench.reason(e));
            }
        }
    }

    private void costRun() throws Exception {
        Thread.sleep(1000);  // let connections of earlier rows finish closing in the relay
        RelayProcess.Stats before = b.relay.stats();
        // Tunnels: one connection, idle TCP tunnels to a target that holds them open.
        try (Client c = b.connect("kwik")) {
            RelayProcess.Stats connected = b.relay.stats();
            int open = 0;
            for (int step : b.cfg.idleTunnelSteps()) {
                int want = step - open;
                b.guarded(Duration.ofSeconds(60), c::close, () -> b.parallelRate(want, 16, () -> {
                    c.openIdle(b.hold.authority());
                    return null;
                }));
                open = step;
                // The relay's side of each tunnel is up once the target has accepted it.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (b.hold.openConnections() < open && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                Thread.sleep(200);
                RelayProcess.Stats s = b.relay.stats();
                b.results.add("cost.tunnel.heap." + step, (s.heapUsed() - connected.heapUsed()) / 1024.0 / step);
                b.results.add("cost.tunnel.threads." + step, (double) (s.allThreads() - connected.allThreads()) / step);
                b.results.add("cost.tunnel.platform." + step, (double) (s.platformThreads() - connected.platformThreads()) / step);
            }
        }
        // Connections: idle, no tunnels.
        List<Client> clients = new ArrayList<>();
        try {
            // The 1,000 tunnels above end when their connection closes; on a loaded machine their threads are still
            // ending a second later, and counting them in the base made "threads per idle connection" negative
            // (-17 and -124 in two smoke runs at load 25). Their target connections close as they end.
            long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (b.hold.openConnections() > 0 && System.nanoTime() < quiet) {
                Thread.sleep(50);
            }
            Thread.sleep(1000);
            RelayProcess.Stats base = b.relay.stats();
            for (int i = 0; i < b.cfg.idleConnections(); i++) {
                clients.add(b.connect("kwik"));
            }
            Thread.sleep(200);
            RelayProcess.Stats s = b.relay.stats();
            int n = b.cfg.idleConnections();
            b.results.add("cost.conn.heap", (s.heapUsed() - base.heapUsed()) / 1024.0 / n);
            b.results.add("cost.conn.threads", (double) (s.allThreads() - base.allThreads()) / n);
            b.results.add("cost.conn.platform", (double) (s.platformThreads() - base.platformThreads()) / n);
        } finally {
            clients.forEach(Bench::closeQuietly);
        }
        // Everything closed: what is left over is a leak (or a cache).
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (b.hold.openConnections() > 0 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        Thread.sleep(2000);
        RelayProcess.Stats after = b.relay.stats();
        b.results.add("cost.retained.heap", (after.heapUsed() - before.heapUsed()) / 1024.0);
        b.results.add("cost.retained.threads", after.allThreads() - before.allThreads());
    }
}
