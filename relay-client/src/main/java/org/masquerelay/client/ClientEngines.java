package org.masquerelay.client;

import org.masquerelay.engine.ClientEngine;
import org.masquerelay.engine.kwik.KwikClientEngine;
import org.masquerelay.engine.quiche.QuicheClientEngine;

import java.util.Locale;

/**
 * The client engines by name, for {@code --engine} and {@link RelayClient.Builder#engine}: {@code kwik} (pure Java,
 * the default; the only one that can chain relays, since it sends through a supplied socket) and {@code quiche}
 * (Netty's QUIC on native quiche + BoringSSL; faster, linux-x86_64 native library).
 */
public final class ClientEngines {
    public static final String DEFAULT = "kwik";

    private ClientEngines() {}

    /** @param option how to name the setting in the error, e.g. {@code --engine} */
    public static ClientEngine named(String option, String name) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "kwik" -> new KwikClientEngine();
            case "quiche" -> new QuicheClientEngine();
            default -> throw new IllegalArgumentException(option + " '" + name + "' is not a QUIC engine (kwik or quiche)");
        };
    }
}
