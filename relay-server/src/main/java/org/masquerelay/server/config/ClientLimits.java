package org.masquerelay.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What keeps one client from starving the others (issue 15): unfinished requests, the relay's tunnel total, and the
 * connections, new connections and new tunnels of one client. Zero means "derived from the heap and the open-file
 * limit at start-up" for {@code unfinishedRequests} and {@code maxTunnels}, and "no limit" for the per-client values.
 *
 * @param requestHeaderTimeout          how long a request stream may take to send its whole header section
 * @param unfinishedRequestsPerConnection request streams of one connection whose header section has not arrived
 * @param unfinishedRequests            the same, relay-wide (0: a quarter of the heap's worth of header sections)
 * @param maxTunnels                    open tunnels relay-wide (0: from the heap and the open-file limit)
 * @param connectionsPerAddress         concurrent connections from one client IP address
 * @param newConnectionsPerSecond       new connections per second from one client IP address (bursts of twice it)
 * @param newTunnelsPerSecond           new tunnels per second on one connection (bursts of twice it)
 * @param retryAboveHandshakes          quiche engine: handshakes in flight above which new clients must prove their
 *                                      address with a QUIC Retry first
 */
public record ClientLimits(Duration requestHeaderTimeout, int unfinishedRequestsPerConnection, int unfinishedRequests,
                           int maxTunnels, int connectionsPerAddress, int newConnectionsPerSecond,
                           int newTunnelsPerSecond, int retryAboveHandshakes) {

    public ClientLimits {
        Objects.requireNonNull(requestHeaderTimeout, "requestHeaderTimeout");
        if (requestHeaderTimeout.toMillis() < 100) {
            throw new ConfigException("timeouts.request-header", "must be at least 100ms, got "
                    + Durations.format(requestHeaderTimeout));
        }
        positive("limits.unfinished-requests-per-connection", unfinishedRequestsPerConnection);
        notNegative("limits.unfinished-requests", unfinishedRequests);
        notNegative("limits.max-tunnels", maxTunnels);
        notNegative("limits.connections-per-address", connectionsPerAddress);
        notNegative("limits.new-connections-per-second", newConnectionsPerSecond);
        notNegative("limits.new-tunnels-per-second", newTunnelsPerSecond);
        notNegative("limits.retry-above-handshakes", retryAboveHandshakes);
    }

    /**
     * 10 s for a header section, 32 unfinished requests per connection, the relay-wide values derived, 256
     * connections and 50 new connections a second per address (a carrier-grade NAT puts many users behind one), 500
     * new tunnels a second per connection, Retry above 256 handshakes in flight.
     */
    public static ClientLimits defaults() {
        return new ClientLimits(Duration.ofSeconds(10), 32, 0, 0, 256, 50, 500, 256);
    }

    public ClientLimits withMaxTunnels(int value) {
        return new ClientLimits(requestHeaderTimeout, unfinishedRequestsPerConnection, unfinishedRequests, value,
                connectionsPerAddress, newConnectionsPerSecond, newTunnelsPerSecond, retryAboveHandshakes);
    }

    public ClientLimits withRequestHeaderTimeout(Duration value) {
        return new ClientLimits(value, unfinishedRequestsPerConnection, unfinishedRequests, maxTunnels,
                connectionsPerAddress, newConnectionsPerSecond, newTunnelsPerSecond, retryAboveHandshakes);
    }

    public ClientLimits withUnfinishedRequests(int perConnection, int total) {
        return new ClientLimits(requestHeaderTimeout, perConnection, total, maxTunnels,
                connectionsPerAddress, newConnectionsPerSecond, newTunnelsPerSecond, retryAboveHandshakes);
    }

    public ClientLimits withPerAddress(int connections, int newPerSecond) {
        return new ClientLimits(requestHeaderTimeout, unfinishedRequestsPerConnection, unfinishedRequests, maxTunnels,
                connections, newPerSecond, newTunnelsPerSecond, retryAboveHandshakes);
    }

    public ClientLimits withNewTunnelsPerSecond(int value) {
        return new ClientLimits(requestHeaderTimeout, unfinishedRequestsPerConnection, unfinishedRequests, maxTunnels,
                connectionsPerAddress, newConnectionsPerSecond, value, retryAboveHandshakes);
    }

    public ClientLimits withRetryAboveHandshakes(int value) {
        return new ClientLimits(requestHeaderTimeout, unfinishedRequestsPerConnection, unfinishedRequests, maxTunnels,
                connectionsPerAddress, newConnectionsPerSecond, newTunnelsPerSecond, value);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new ConfigException(key, "must be a positive integer, got '" + value + "'");
        }
    }

    private static void notNegative(String key, int value) {
        if (value < 0) {
            throw new ConfigException(key, "must be 0 or a positive integer, got '" + value + "'");
        }
    }
}
