package org.masquerelay.server.config;

/**
 * Resource limits; every value is positive.
 *
 * @param tunnelsPerConnection   concurrent tunnels one client connection may hold
 * @param streamWindow           QUIC receive window per request stream: the most a client can send that the relay has
 *                               not read yet, which bounds the optimistic data held before the target is connected
 * @param pendingDatagrams       UDP payloads buffered before the upstream socket is ready
 * @param maxHeaderSize          largest request header section, in bytes
 * @param maxDataFrame           largest HTTP/3 DATA frame accepted, in bytes
 * @param maxConnections         concurrent client connections
 * @param eventLoops             quiche engine: event-loop threads (0 = one per core)
 * @param clients                what keeps one client from starving the others
 */
public record Limits(int tunnelsPerConnection, int streamWindow, int pendingDatagrams, int maxHeaderSize,
                     int maxDataFrame, int maxConnections, int eventLoops, ClientLimits clients) {

    public Limits {
        positive("limits.tunnels-per-connection", tunnelsPerConnection);
        positive("limits.stream-window", streamWindow);
        positive("limits.pending-datagrams", pendingDatagrams);
        positive("limits.max-header-size", maxHeaderSize);
        positive("limits.max-data-frame", maxDataFrame);
        positive("limits.max-connections", maxConnections);
        if (eventLoops < 0 || eventLoops > 256) {
            throw new ConfigException("limits.event-loops", "must be 0 (one per core) or a thread count up to 256, got '" + eventLoops + "'");
        }
        clients = clients == null ? ClientLimits.defaults() : clients;
    }

    public Limits(int tunnelsPerConnection, int streamWindow, int pendingDatagrams, int maxHeaderSize, int maxDataFrame,
                  int maxConnections, int eventLoops) {
        this(tunnelsPerConnection, streamWindow, pendingDatagrams, maxHeaderSize, maxDataFrame, maxConnections,
                eventLoops, null);
    }

    public Limits withClients(ClientLimits value) {
        return new Limits(tunnelsPerConnection, streamWindow, pendingDatagrams, maxHeaderSize, maxDataFrame,
                maxConnections, eventLoops, value);
    }

    public Limits(int tunnelsPerConnection, int streamWindow, int pendingDatagrams, int maxHeaderSize, int maxDataFrame,
                  int maxConnections) {
        this(tunnelsPerConnection, streamWindow, pendingDatagrams, maxHeaderSize, maxDataFrame, maxConnections, 0);
    }

    public static Limits defaults() {
        return new Limits(256, 1048576, 64, 16384, 16777216, 10000);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new ConfigException(key, "must be a positive integer, got '" + value + "'");
        }
    }
}
