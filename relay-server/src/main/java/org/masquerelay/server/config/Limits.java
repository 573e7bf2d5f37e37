package org.masquerelay.server.config;

/**
 * Resource limits; every value is positive.
 *
 * @param tunnelsPerConnection   concurrent tunnels one client connection may hold
 * @param pendingOptimisticBytes tunnel bytes buffered before the upstream is open (Apple sends data before the 2xx)
 * @param pendingDatagrams       UDP payloads buffered before the upstream socket is ready
 * @param maxHeaderSize          largest request header section, in bytes
 * @param maxDataFrame           largest HTTP/3 DATA frame accepted, in bytes
 * @param maxConnections         concurrent client connections
 */
public record Limits(int tunnelsPerConnection, int pendingOptimisticBytes, int pendingDatagrams, int maxHeaderSize,
                     int maxDataFrame, int maxConnections) {

    public Limits {
        positive("limits.tunnels-per-connection", tunnelsPerConnection);
        positive("limits.pending-optimistic-bytes", pendingOptimisticBytes);
        positive("limits.pending-datagrams", pendingDatagrams);
        positive("limits.max-header-size", maxHeaderSize);
        positive("limits.max-data-frame", maxDataFrame);
        positive("limits.max-connections", maxConnections);
    }

    public static Limits defaults() {
        return new Limits(256, 65536, 64, 16384, 16777216, 10000);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new ConfigException(key, "must be a positive integer, got '" + value + "'");
        }
    }
}
