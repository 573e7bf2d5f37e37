package org.masquerelay.interop.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Fixed work sizes of one benchmark run. {@link #defaults()} is what {@code bench} measures (about 10 minutes on a 2-core
 * machine); {@link #smoke()} has the same rows with tiny sizes and one run, for the smoke test.
 *
 * @param runs              runs per figure (median and min–max over these)
 * @param tcpBytes          bytes per run through the relay, split over the tunnels of the row
 * @param tcpBaselineBytes  bytes per run for direct TCP and socat (much faster, so more bytes for a stable figure)
 * @param tunnelCounts      parallel tunnels of the TCP rows (all on one QUIC connection)
 * @param udpRatesMbps      offered UDP payload rates
 * @param udpSeconds        length of each paced train
 * @param udpPayload        UDP payload size
 * @param pings             UDP ping-pongs per run (after {@code pings / 10} warm-up ones)
 * @param ttfbSamples       time-to-first-byte samples per run
 * @param setupTunnels      tunnel set-ups per run, {@code setupConcurrency} in flight
 * @param setupConnections  connections per run, {@code setupConcurrency / 4} in flight
 * @param idleTunnelSteps   idle tunnels held open on one connection when the relay's heap and threads are read
 * @param idleConnections   idle connections held open for the per-connection cost
 * @param profileBytes      bytes moved while the relay runs under JFR
 * @param sections          which sections to run
 * @param out               where results.json, profile files and the relay's log go
 * @param engines           relay QUIC engines measured: the first gets every row, the others the relay rows again
 * @param scale             sizes of the scale rows
 */
record BenchConfig(boolean quick, int runs, long tcpBytes, long tcpBaselineBytes, List<Integer> tunnelCounts,
                   List<Integer> udpRatesMbps, double udpSeconds, int udpPayload, int pings, int ttfbSamples,
                   int setupTunnels, int setupConnections, int setupConcurrency, List<Integer> idleTunnelSteps,
                   int idleConnections, long profileBytes, Set<String> sections, Path out, Duration runLimit,
                   List<String> engines, Scale scale) {

    /**
     * The scale rows' sizes ({@link ScaleScenario}).
     *
     * @param tunnels               idle TCP tunnels held open at once
     * @param tunnelsPerConnection  of them on one connection (the relay allows 16,000 per connection in that row)
     * @param connections           idle client connections held open at once
     * @param rowLimit              time limit of each row's ramp
     */
    record Scale(int tunnels, int tunnelsPerConnection, int connections, Duration rowLimit) {}

    static final Set<String> ALL_SECTIONS = Set.of("tcp", "udp", "latency", "setup", "cost", "cli", "profile", "scale");
    static final long MiB = 1024 * 1024;

    static BenchConfig defaults() {
        return new BenchConfig(false, 3, 32 * MiB, 256 * MiB, List.of(1, 8), List.of(20, 50, 100, 200), 1.0, 1200,
                1000, 200, 400, 30, 16, List.of(1, 100, 1000), 20, 64 * MiB, ALL_SECTIONS, Path.of("bench-out"),
                Duration.ofSeconds(30), List.of("kwik", "quiche"),
                new Scale(10_000, 2_000, 10_000, Duration.ofSeconds(120)));
    }

    /** Every row of {@link #defaults()}, sized to take seconds: one run each. */
    static BenchConfig smoke() {
        return new BenchConfig(true, 1, 2 * MiB, 8 * MiB, List.of(1, 8), List.of(20, 50, 100, 200), 0.25, 1200,
                50, 10, 20, 3, 8, List.of(1, 100, 1000), 10, 2 * MiB, ALL_SECTIONS, Path.of("bench-out"),
                Duration.ofSeconds(30), List.of("kwik", "quiche"), new Scale(200, 100, 50, Duration.ofSeconds(60)));
    }

    BenchConfig withRuns(int value) {
        return new BenchConfig(quick, value, tcpBytes, tcpBaselineBytes, tunnelCounts, udpRatesMbps, udpSeconds, udpPayload, pings, ttfbSamples, setupTunnels, setupConnections, setupConcurrency, idleTunnelSteps, idleConnections, profileBytes, sections, out, runLimit, engines, scale);
    }

    BenchConfig withSections(Set<String> value) {
        return new BenchConfig(quick, runs, tcpBytes, tcpBaselineBytes, tunnelCounts, udpRatesMbps, udpSeconds, udpPayload, pings, ttfbSamples, setupTunnels, setupConnections, setupConcurrency, idleTunnelSteps, idleConnections, profileBytes, value, out, runLimit, engines, scale);
    }

    BenchConfig withOut(Path value) {
        return new BenchConfig(quick, runs, tcpBytes, tcpBaselineBytes, tunnelCounts, udpRatesMbps, udpSeconds, udpPayload, pings, ttfbSamples, setupTunnels, setupConnections, setupConcurrency, idleTunnelSteps, idleConnections, profileBytes, sections, value, runLimit, engines, scale);
    }

    BenchConfig withTcpBytes(long value) {
        return new BenchConfig(quick, runs, value, tcpBaselineBytes, tunnelCounts, udpRatesMbps, udpSeconds, udpPayload, pings, ttfbSamples, setupTunnels, setupConnections, setupConcurrency, idleTunnelSteps, idleConnections, profileBytes, sections, out, runLimit, engines, scale);
    }

    BenchConfig withUdp(List<Integer> rates, double seconds) {
        return new BenchConfig(quick, runs, tcpBytes, tcpBaselineBytes, tunnelCounts, rates, seconds, udpPayload, pings, ttfbSamples, setupTunnels, setupConnections, setupConcurrency, idleTunnelSteps, idleConnections, profileBytes, sections, out, runLimit, engines, scale);
    }

    BenchConfig withEngines(List<String> value) {
        return new BenchConfig(quick, runs, tcpBytes, tcpBaselineBytes, tunnelCounts, udpRatesMbps, udpSeconds, udpPayload, pings, ttfbSamples, setupTunnels, setupConnections, setupConcurrency, idleTunnelSteps, idleConnections, profileBytes, sections, out, runLimit, value, scale);
    }

    BenchConfig withScale(Scale value) {
        return new BenchConfig(quick, runs, tcpBytes, tcpBaselineBytes, tunnelCounts, udpRatesMbps, udpSeconds, udpPayload, pings, ttfbSamples, setupTunnels, setupConnections, setupConcurrency, idleTunnelSteps, idleConnections, profileBytes, sections, out, runLimit, engines, value);
    }

    int scaleTunnels() {
        return scale.tunnels();
    }

    int scaleTunnelsPerConnection() {
        return scale.tunnelsPerConnection();
    }

    int scaleConnections() {
        return scale.connections();
    }

    Duration scaleRowLimit() {
        return scale.rowLimit();
    }

    boolean runs(String section) {
        return sections.contains(section);
    }
}
