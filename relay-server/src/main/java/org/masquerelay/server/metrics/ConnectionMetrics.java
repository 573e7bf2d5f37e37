package org.masquerelay.server.metrics;

import org.masquerelay.engine.HttpConnection;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics of one client connection: the relay's {@link RelayMetrics} and the connection's transport (h3, h2).
 * Found from the connection itself ({@link #of}), so code that only has a stream — the one place every refusal is
 * written, each tunnel's log — counts into the right relay without being handed it.
 */
public final class ConnectionMetrics {
    private static final Map<HttpConnection, ConnectionMetrics> BY_CONNECTION = new ConcurrentHashMap<>();
    /** For a connection no relay attached (tests that drive handlers directly): counted nowhere anyone reads. */
    private static final ConnectionMetrics DETACHED = new ConnectionMetrics(new RelayMetrics(), "h3");

    private final RelayMetrics metrics;
    private final String transport;

    private ConnectionMetrics(RelayMetrics metrics, String transport) {
        this.metrics = metrics;
        this.transport = transport;
    }

    /** Counts the connection as open until it closes, and makes {@link #of} find it. */
    public static ConnectionMetrics attach(HttpConnection connection, RelayMetrics metrics, String transport) {
        ConnectionMetrics m = new ConnectionMetrics(metrics, transport);
        BY_CONNECTION.put(connection, m);
        metrics.connections.labelValues(transport).inc();
        metrics.connectionsOpen.labelValues(transport).inc();
        // Dropped in the engine layer's demux, before any tunnel had them: counted here, as tunnels count their own.
        connection.onDatagramDropped(metrics::datagramDropped);
        connection.onClose(reason -> {
            if (BY_CONNECTION.remove(connection) != null) {
                metrics.connectionsOpen.labelValues(transport).dec();
            }
        });
        return m;
    }

    public static ConnectionMetrics of(HttpConnection connection) {
        return BY_CONNECTION.getOrDefault(connection, DETACHED);
    }

    public RelayMetrics relay() {
        return metrics;
    }

    /** An error answer with its Proxy-Status error token and HTTP status. */
    public void refused(int status, String proxyError) {
        metrics.refusals.labelValues(RelayMetrics.label(proxyError), Integer.toString(status)).inc();
    }

    /** A tunnel reached its target ({@code connectNanos} after its request) and is open from now on. */
    public TunnelMetrics tunnelOpened(String kind, long connectNanos) {
        metrics.connectTime.labelValues(kind).observe(connectNanos / 1e9);
        metrics.tunnels.labelValues(kind, transport).inc();
        metrics.tunnelsOpen.labelValues(kind, transport).inc();
        return new TunnelMetrics(metrics, kind, transport);
    }
}
