package org.masquerelay.server.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which QUIC stack carries HTTP/3 (config key {@code engine}, flag {@code --engine}). Both run the same wire layer,
 * tunnels and policy; they differ in speed, threads and TLS features (README, "Choosing an engine").
 */
public enum QuicEngine {
    /**
     * The default: quiche where its native library loads (Linux x86_64 in this build), Kwik elsewhere. Resolved
     * once at start-up, and logged with the reason.
     */
    AUTO,
    /** Kwik + Flupke, pure Java: runs everywhere. No mutual TLS on its server side, a thread per stream direction. */
    KWIK,
    /**
     * Netty's QUIC codec on Cloudflare quiche + BoringSSL (native): several times Kwik's throughput at a fraction of
     * its CPU, tunnels carried on the event loop, mutual TLS.
     */
    QUICHE;

    /** The engine that will run: {@link #AUTO} becomes quiche or kwik; the others are themselves. */
    public QuicEngine resolve() {
        if (this != AUTO) {
            return this;
        }
        return org.masquerelay.engine.quiche.NativeQuic.isAvailable() ? QUICHE : KWIK;
    }

    /** Why {@link #resolve()} chose what it chose, for the start-up log. */
    public String choiceReason() {
        if (this != AUTO) {
            return "configured";
        }
        String missing = org.masquerelay.engine.quiche.NativeQuic.unavailabilityReason();
        return missing == null ? "auto: Netty's native QUIC library loaded"
                : "auto: Netty's native QUIC library did not load (" + missing + ")";
    }

    /** Case-insensitive; the error names the key and lists the accepted values. */
    public static QuicEngine parse(String keyPath, String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(keyPath, "'" + text + "' is not a QUIC engine (one of "
                    + String.join(", ", Arrays.stream(values()).map(QuicEngine::configName).toList()) + ")");
        }
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
