package org.masquerelay.client;

import org.masquerelay.engine.ClientEngine;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.engine.kwik.KwikClientEngine;
import org.masquerelay.engine.quiche.NativeQuic;
import org.masquerelay.engine.quiche.QuicheClientEngine;

import java.util.Locale;

/**
 * The client engines by name, for {@code --engine} and {@link RelayClient.Builder#engine}: {@code auto} (the default:
 * quiche where its native library loads, Kwik for QUIC through a supplied socket — chaining, HTTP/3 through
 * connect-udp — and where it does not), {@code kwik} (pure Java; the only one that sends through a supplied socket)
 * and {@code quiche} (Netty's QUIC on native quiche + BoringSSL; faster).
 */
public final class ClientEngines {
    public static final String DEFAULT = "auto";

    private ClientEngines() {}

    /** The {@code auto} choice: quiche for connections with a socket of their own when it loads, Kwik otherwise. */
    public static ClientEngine auto() {
        ClientEngine kwik = new KwikClientEngine();
        if (!NativeQuic.isAvailable()) {
            return kwik;
        }
        ClientEngine quiche = new QuicheClientEngine();
        return new ClientEngine() {
            @Override
            public ClientConnection connect(ClientEngineSettings settings) throws java.io.IOException {
                return (settings.socketSupplier() == null ? quiche : kwik).connect(settings);
            }

            @Override
            public void prepare(ClientEngineSettings settings) throws java.io.IOException {
                (settings.socketSupplier() == null ? quiche : kwik).prepare(settings);
            }

            /** A relay reached directly gets quiche's own channel; QUIC through a tunnel goes to Kwik. */
            @Override
            public boolean prefersOwnSocket() {
                return true;
            }
        };
    }

    /**
     * The engine for a QUIC connection sent through a supplied socket (HTTP/3 to a target inside a connect-udp
     * tunnel): {@code engine} itself when it can do that, else Kwik — the relay hop keeps its own engine.
     */
    public static ClientEngine throughTunnel(ClientEngine engine) {
        return engine.acceptsSuppliedSockets() ? engine : new KwikClientEngine();
    }

    /**
     * Lets the quiche engine's shared event-loop threads end now rather than after their quiet period: a command
     * line tool calls it when its last client is closed, or the JVM's exit waits ~300 ms for a thread in native code.
     */
    public static void releaseThreads() {
        QuicheClientEngine.releaseThreads();
        org.masquerelay.engine.h2.H2ClientEngine.releaseThreads();
    }

    /**
     * The engine of this name: {@code auto}, {@code kwik} or {@code quiche}.
     *
     * @param option how to name the setting in the error, e.g. {@code --engine}
     * @throws IllegalArgumentException naming the option and the engines there are
     */
    public static ClientEngine named(String option, String name) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> auto();
            case "kwik" -> new KwikClientEngine();
            case "quiche" -> new QuicheClientEngine();
            default -> throw new IllegalArgumentException(option + " '" + name + "' is not a QUIC engine (auto, kwik or quiche)");
        };
    }
}
