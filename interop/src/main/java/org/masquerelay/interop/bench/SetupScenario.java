package org.masquerelay.interop.bench;

import org.masquerelay.interop.bench.Clients.Client;

/** Set-up rates: tunnels per second on one connection, and new connections per second. */
final class SetupScenario {
    private final Bench b;

    SetupScenario(Bench b) {
        this.b = b;
    }

    void run() throws Exception {
        for (int run = 0; run < b.cfg.runs(); run++) {
            for (String stack : BenchRows.STACKS) {
                String id = "setup.tunnels." + stack;
                try (Client c = b.connect(stack)) {
                    double rate = b.guarded(b.cfg.runLimit(), c::close,
                            () -> b.parallelRate(b.cfg.setupTunnels(), b.cfg.setupConcurrency(), () -> {
                                c.tunnelCycle(b.echo.authority());
                                return null;
                            }));
                    b.results.add(id, rate);
                } catch (Exception e) {
                    b.results.fail(id, Bench.reason(e));
                }
            }
            for (String stack : BenchRows.STACKS) {
                String id = "setup.connections." + stack;
                try {
                    double rate = b.parallelRate(b.cfg.setupConnections(), Math.max(1, b.cfg.setupConcurrency() / 4), () -> {
                        Client c = b.connect(stack);
                        c.close();
                        return null;
                    });
                    b.results.add(id, rate);
                } catch (Exception e) {
                    b.results.fail(id, Bench.reason(e));
                }
            }
        }
    }
}
