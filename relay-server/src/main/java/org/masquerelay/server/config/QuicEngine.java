package org.masquerelay.server.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which QUIC stack carries HTTP/3 (config key {@code engine}, flag {@code --engine}). Both run the same wire layer,
 * tunnels and policy; they differ in speed, threads and TLS features (README, "Choosing an engine").
 */
public enum QuicEngine {
    /** Kwik + Flupke, pure Java: the default the relay was designed around. No mutual TLS on its server side. */
    KWIK,
    /** Netty's QUIC codec on Cloudflare quiche + BoringSSL (native, linux-x86_64 here): faster, mutual TLS. */
    QUICHE;

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
