package org.masquerelay.interop.bench;

import org.masquerelay.interop.bench.Results.Sign;

import java.util.List;

/** Every row of the benchmark, declared up front so a section that fails still shows its rows (empty, with the reason). */
final class BenchRows {
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
    static void declare(Results results, BenchConfig cfg) {
        List<String> engines = cfg.engines();
        for (int i = 0; i < engines.size(); i++) {
            String e = engines.get(i);
            declare(results, cfg, e, i == 0 ? "" : "@" + e, i == 0 ? "" : " -- relay on the " + e + " engine", i == 0);
        }
    }

    /**
     * @param engine  the relay's engine
     * @param v       row id suffix of a relay variant ("" for the first engine)
     * @param g       group title suffix
     * @param all     every row (baselines, profile); otherwise the rows that measure the relay only
     */
    private static void declare(Results results, BenchConfig cfg, String engine, String v, String g, boolean all) {
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
        if (cfg.runs("cli")) {
            String group = CliScenario.group(g);
            results.row("cli.fetch.wall" + v, group, "wall clock, process start to exit (median of rounds)", "ms", Sign.POSITIVE);
            results.row("cli.fetch.cpu" + v, group, "CPU of the process (user + system)", "ms", Sign.POSITIVE);
            results.row("cli.fetch.total" + v, group, "time_total as the fetch reports it (connect, CONNECT, response)", "ms", Sign.POSITIVE);
        }
        if (cfg.runs("scale")) {
            declareScale(results, cfg, engine, v, g);
        }
    }

    /** The scale rows: one run each (a ramp of up to two minutes), on a relay of their own with the per-client caps lifted. */
    private static void declareScale(Results results, BenchConfig cfg, String engine, String v, String g) {
        String group = String.format(java.util.Locale.ROOT, "Scale: %,d idle TCP tunnels, %,d per connection, Netty/quiche"
                + " client (relay process: heap after GC, /proc)", cfg.scaleTunnels(), cfg.scaleTunnelsPerConnection()) + g;
        results.row("scale.tunnels.open" + v, group, "tunnels open at once", "tunnels", Sign.POSITIVE);
        results.row("scale.tunnels.connections" + v, group, "connections carrying them", "connections", Sign.POSITIVE);
        results.row("scale.tunnels.rate" + v, group, "set-up rate (" + ScaleScenario.IN_FLIGHT + " in flight)", "1/s", Sign.POSITIVE);
        results.row("scale.tunnels.heap" + v, group, "heap per idle tunnel", "KiB", Sign.POSITIVE);
        results.row("scale.tunnels.rss" + v, group, "RSS per idle tunnel", "KiB", Sign.ANY);
        results.row("scale.tunnels.threads" + v, group, "threads per idle tunnel (all, incl. virtual)", "threads", Sign.ANY);
        results.row("scale.tunnels.platform" + v, group, "platform threads of the relay, all open", "threads", Sign.POSITIVE);
        results.row("scale.tunnels.fds" + v, group, "file descriptors per idle tunnel", "fds", Sign.POSITIVE);
        results.row("scale.tunnels.probe" + v, group, "new client at that load: handshake + CONNECT + first byte (best of 3)", "ms", Sign.POSITIVE);
        group = String.format(java.util.Locale.ROOT, "Scale: %,d idle client connections, Netty/quiche client on %d event"
                + " loops", ScaleScenario.connections(cfg, engine), ScaleScenario.CLIENT_LOOPS) + g;
        results.row("scale.conns.open" + v, group, "connections open at once", "connections", Sign.POSITIVE);
        results.row("scale.conns.rate" + v, group, "handshake rate (handshake + SETTINGS, " + ScaleScenario.IN_FLIGHT + " in flight)", "1/s", Sign.POSITIVE);
        results.row("scale.conns.heap" + v, group, "heap per idle connection", "KiB", Sign.ANY);
        results.row("scale.conns.rss" + v, group, "RSS per idle connection", "KiB", Sign.ANY);
        results.row("scale.conns.threads" + v, group, "threads per idle connection (all, incl. virtual)", "threads", Sign.ANY);
        results.row("scale.conns.platform" + v, group, "platform threads of the relay, all open", "threads", Sign.POSITIVE);
        results.row("scale.conns.fds" + v, group, "file descriptors of the relay, all open", "fds", Sign.POSITIVE);
        results.row("scale.conns.probe" + v, group, "new client at that load: handshake + CONNECT + first byte (best of 3)", "ms", Sign.POSITIVE);
        results.row("scale.conns.probe.old" + v, group, "new tunnel on the first connection (idle through the ramp)", "ms", Sign.POSITIVE);
    }

    private BenchRows() {}
}
