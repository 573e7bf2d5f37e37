package org.masquerelay.server.tunnel;

import java.time.Duration;

/**
 * Timeouts and bounds of the tunnel layer.
 *
 * @param connectTimeout     bound on DNS plus the TCP connection (all Happy Eyeballs attempts together)
 * @param attemptDelay       RFC 8305 "Connection Attempt Delay" between starting two attempts (250 ms, as h2o)
 * @param idleTimeout        a tunnel with no bytes in either direction for this long is closed
 * @param pendingDatagrams   UDP payloads kept per tunnel before the upstream socket is ready
 */
public record TunnelSettings(Duration connectTimeout, Duration attemptDelay, Duration idleTimeout, int pendingDatagrams) {

    public static TunnelSettings defaults() {
        return new TunnelSettings(Duration.ofSeconds(10), Duration.ofMillis(250), Duration.ofMinutes(5), 64);
    }
}
