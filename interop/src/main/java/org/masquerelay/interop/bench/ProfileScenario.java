package org.masquerelay.interop.bench;

import org.masquerelay.interop.bench.Clients.Client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** A JFR recording of the relay during a 1-tunnel TCP download, per client stack, summarised for profile.md. */
final class ProfileScenario {
    private final Bench b;

    ProfileScenario(Bench b) {
        this.b = b;
    }

    void run() throws Exception {
        StringBuilder summary = new StringBuilder();
        for (String stack : BenchRows.STACKS) {
            Path jfr = b.cfg.out().resolve("relay-tcp1-" + stack + ".jfr").toAbsolutePath();
            try (Client c = b.connect(stack)) {
                b.relay.jfrStart();
                long t0 = System.nanoTime();
                long cpu0 = b.relay.cpuNanos();
                long got;
                try {
                    got = b.guarded(Duration.ofSeconds(60), c::close, () -> c.download(b.source.authority(), b.cfg.profileBytes()));
                } finally {
                    b.relay.jfrStop(jfr);
                }
                long dt = System.nanoTime() - t0;
                long cpu = b.relay.cpuNanos() - cpu0;
                summary.append(String.format(Locale.ROOT, "### Relay under JFR: TCP download, 1 tunnel, %s client, %d MiB at %.0f Mbit/s, relay CPU %.2f s%n%n",
                        stack, got >> 20, Bench.mbps(got, dt), cpu / 1e9));
                summary.append("Recording: ").append(jfr).append("\n\n");
                summary.append(JfrSummary.summarize(jfr)).append('\n');
            } catch (Exception e) {
                summary.append("Profile with the ").append(stack).append(" client failed: ").append(Bench.reason(e)).append("\n\n");
            }
        }
        b.profileSummary = summary.toString();
    }
}
