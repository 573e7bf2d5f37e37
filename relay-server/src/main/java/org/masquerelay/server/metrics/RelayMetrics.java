package org.masquerelay.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The relay's metrics, in the Prometheus text format at the admin listener's {@code /metrics}. Labels are closed sets
 * only — transport, tunnel kind, direction, a Proxy-Status error token, an HTTP status, a reason from a fixed list —
 * never a target name, a client address or anything else a client chooses (cardinality, and the privacy of who
 * went where). Every name starts with {@code masque_relay_}.
 */
public final class RelayMetrics {
    /** Where connect times and tunnel durations fall: 1 ms to 10 s for connects, 10 ms to 1 h for tunnels. */
    private static final double[] CONNECT_BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final double[] DURATION_BOUNDS = {0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    final Gauge connectionsOpen = Gauge.builder().name("masque_relay_connections_open")
            .help("Client connections open now").labelNames("transport").register(registry);
    final Counter connections = Counter.builder().name("masque_relay_connections")
            .help("Client connections accepted (handshake complete)").labelNames("transport").register(registry);
    final Counter handshakeFailures = Counter.builder().name("masque_relay_handshake_failures")
            .help("Client connections whose TLS handshake failed, by TLS alert or cause").labelNames("transport", "reason")
            .register(registry);
    final Gauge tunnelsOpen = Gauge.builder().name("masque_relay_tunnels_open")
            .help("Tunnels open now").labelNames("kind", "transport").register(registry);
    final Counter tunnels = Counter.builder().name("masque_relay_tunnels")
            .help("Tunnels opened (target reached, 200 sent)").labelNames("kind", "transport").register(registry);
    final Counter refusals = Counter.builder().name("masque_relay_refusals")
            .help("Requests answered with an error, by Proxy-Status error and HTTP status").labelNames("error", "status")
            .register(registry);
    final Counter bytes = Counter.builder().name("masque_relay_tunnel_bytes")
            .help("Payload bytes carried by tunnels; up is client to target").labelNames("kind", "direction")
            .register(registry);
    final Counter datagrams = Counter.builder().name("masque_relay_datagrams")
            .help("UDP payloads carried by connect-udp tunnels; up is client to target").labelNames("direction")
            .register(registry);
    final Counter datagramsDropped = Counter.builder().name("masque_relay_datagrams_dropped")
            .help("UDP payloads dropped, by reason").labelNames("reason").register(registry);
    final Histogram connectTime = Histogram.builder().name("masque_relay_target_connect_seconds")
            .help("From the request to the target reached (DNS, policy, connect)").labelNames("kind")
            .classicOnly().classicUpperBounds(CONNECT_BOUNDS).register(registry);
    final Histogram tunnelDuration = Histogram.builder().name("masque_relay_tunnel_duration_seconds")
            .help("How long tunnels were open").labelNames("kind").classicOnly().classicUpperBounds(DURATION_BOUNDS)
            .register(registry);
    private final Info build = Info.builder().name("masque_relay_build")
            .help("The relay's version and QUIC engine").labelNames("version", "engine").register(registry);

    /** Sets the build info (one series, value 1). */
    public void build(String version, String engine) {
        build.setLabelValues(version, engine);
    }

    /** {@code masque_relay_ready}: 1 while serving, 0 before the listeners are up and while draining. */
    public void readiness(BooleanSupplier ready) {
        GaugeWithCallback.builder().name("masque_relay_ready").help("1 while serving; 0 while starting or draining")
                .callback(cb -> cb.call(ready.getAsBoolean() ? 1 : 0)).register(registry);
    }

    /** A TLS handshake that failed; {@code reason} from a closed set (a TLS alert name, "timeout", "closed"). */
    public void handshakeFailed(String transport, String reason) {
        handshakeFailures.labelValues(transport, label(reason)).inc();
    }

    /** Datagrams dropped before any tunnel had them (malformed, or waiting for a tunnel that never came). */
    public void datagramDropped(String reason) {
        datagramsDropped.labelValues(label(reason)).inc();
    }

    /** The current values in the Prometheus text format (version 0.0.4). */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The Content-Type of {@link #scrape()}. */
    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** A label value from a closed set, made safe whatever the caller passes: lower case, [a-z0-9_], bounded. */
    static String label(String value) {
        String v = value == null ? "unknown" : value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return v.length() > 40 ? v.substring(0, 40) : v;
    }
}
