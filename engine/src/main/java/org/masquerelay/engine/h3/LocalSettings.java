package org.masquerelay.engine.h3;

import org.masquerelay.wire.H3;

import java.util.LinkedHashMap;
import java.util.Map;

/** The SETTINGS every engine sends (RFC 9114 §7.2.4), in one place so the engines cannot drift apart. */
public final class LocalSettings {
    private LocalSettings() {}

    /**
     * A relay's: what Apple's client checks (apple-relay-client.md) — ENABLE_CONNECT_PROTOCOL (0x08) and
     * H3_DATAGRAM (0x33) — nothing HTTP/2-only, each id once. QPACK without a dynamic table.
     */
    public static Map<Long, Long> server() {
        Map<Long, Long> settings = qpackWithoutDynamicTable();
        settings.put(H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, 1L);
        settings.put(H3.SETTINGS_H3_DATAGRAM, 1L);
        return settings;
    }

    /** A client's: H3_DATAGRAM=1 so the relay may send HTTP datagrams. */
    public static Map<Long, Long> client() {
        Map<Long, Long> settings = qpackWithoutDynamicTable();
        settings.put(H3.SETTINGS_H3_DATAGRAM, 1L);
        return settings;
    }

    private static Map<Long, Long> qpackWithoutDynamicTable() {
        Map<Long, Long> settings = new LinkedHashMap<>();
        settings.put(H3.SETTINGS_QPACK_MAX_TABLE_CAPACITY, 0L);
        settings.put(H3.SETTINGS_QPACK_BLOCKED_STREAMS, 0L);
        return settings;
    }
}
