package org.masquerelay.server.config;

import org.masquerelay.wire.QuicLbConnectionId;

import java.util.Optional;
import java.util.Set;

/**
 * The {@code fleet} section: this relay's QUIC-LB server ID, which every connection ID it issues will carry so a
 * connection-ID-aware load balancer keeps a connection on it (README, "A fleet of relays").
 */
final class FleetReader {
    static final String SERVER_ID = "fleet.server-id";
    private static final Set<String> KEYS = Set.of("server-id", "server-id-length");
    private static final int DEFAULT_LENGTH = 2;

    private FleetReader() {}

    static Optional<QuicLbConnectionId> read(YamlSection fleet) {
        fleet.allowOnly(KEYS);
        int length = fleet.positiveInt("server-id-length").orElse(DEFAULT_LENGTH);
        if (length > 2) {
            throw new ConfigException(fleet.keyPath("server-id-length"), "must be 1 or 2 (octets), got " + length);
        }
        Optional<String> id = fleet.string("server-id");
        if (id.isEmpty()) {
            if (fleet.has("server-id-length")) {
                throw new ConfigException(fleet.keyPath("server-id"), "is missing: server-id-length alone means"
                        + " nothing (give each relay its own server-id)");
            }
            return Optional.empty();
        }
        try {
            return Optional.of(QuicLbConnectionId.parse(id.get(), length));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(fleet.keyPath("server-id"), e.getMessage());
        }
    }
}
