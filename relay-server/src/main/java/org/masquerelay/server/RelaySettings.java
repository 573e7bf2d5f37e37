package org.masquerelay.server;

import org.masquerelay.engine.EngineSettings;
import org.masquerelay.policy.RelayPolicy;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.server.tunnel.TunnelSettings;
import org.masquerelay.wire.ConnectUdpTemplate;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Everything a running relay needs, resolved and immutable: sockets to bind, the policy built, and nested, what the
 * QUIC engine needs ({@link #engineSettings()}: TLS identity, HTTP/3 and QUIC limits) and what the tunnels need
 * ({@link #tunnel()}: timeouts). Made from the configuration file and command line by {@link SettingsFactory}, by
 * {@link DevMode}, or directly by tests with {@link #builder()}; changed with {@link #newBuilder()}.
 *
 * <p>A new setting is a field, an accessor and a builder setter here (or in {@link EngineSettings} or
 * {@link TunnelSettings} when the engine or the tunnels read it), plus one line in each copying constructor.
 */
public final class RelaySettings {
    /**
     * QUIC request streams a client may open beyond its tunnels: a client over {@link #tunnelsPerConnection()} still
     * gets its 429 answered on a stream of its own, instead of QUIC's stream limit silently holding the request back.
     */
    static final int REFUSAL_STREAMS = 16;

    private final List<InetSocketAddress> listen;
    private final List<InetSocketAddress> tcpListen;
    private final String serverName;
    private final RelayPolicy policy;
    private final List<ConnectUdpTemplate> udpTemplates;
    private final AuthConfig auth;
    private final int tunnelsPerConnection;
    private final QuicEngine engine;
    private final EngineSettings engineSettings;
    private final TunnelSettings tunnel;
    private final ClientLimits clientLimits;

    private RelaySettings(Builder b) {
        this.listen = List.copyOf(b.listen);
        this.tcpListen = List.copyOf(b.tcpListen);
        this.serverName = Objects.requireNonNull(b.serverName, "the server name (Builder.serverName) is not set");
        this.policy = Objects.requireNonNull(b.policy, "policy");
        this.udpTemplates = List.copyOf(b.udpTemplates);
        this.auth = b.auth;
        this.tunnelsPerConnection = b.tunnelsPerConnection;
        this.engine = b.engine;
        this.engineSettings = b.engineSettings.maxStreamsPerConnection(tunnelsPerConnection + REFUSAL_STREAMS).build();
        this.tunnel = b.tunnel.build();
        this.clientLimits = Objects.requireNonNull(b.clientLimits, "clientLimits");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder newBuilder() {
        return new Builder(this);
    }

    /** Addresses to bind (IPv4 and IPv6 each get their own socket); the configuration makes sure there is one. */
    public List<InetSocketAddress> listen() {
        return listen;
    }

    /**
     * TCP addresses of the TLS listener (HTTP/2 and HTTP/1.1, for clients without UDP); port 0 on an address that
     * HTTP/3 also binds with port 0 takes HTTP/3's port when it is free on TCP. Empty = no TCP listener.
     */
    public List<InetSocketAddress> tcpListen() {
        return tcpListen;
    }

    /** Our name in Proxy-Status (RFC 9209 §2: the proxy's identifier). */
    public String serverName() {
        return serverName;
    }

    /** Which targets may be reached. */
    public RelayPolicy policy() {
        return policy;
    }

    /** Operator connect-udp templates, served besides the default one. */
    public List<ConnectUdpTemplate> udpTemplates() {
        return udpTemplates;
    }

    /** Credential check, or null for none. */
    public AuthConfig auth() {
        return auth;
    }

    /** Concurrent tunnels one connection may hold. */
    public int tunnelsPerConnection() {
        return tunnelsPerConnection;
    }

    /** The QUIC stack every listener runs. */
    public QuicEngine engine() {
        return engine;
    }

    /** What the engine needs: TLS identity, mutual TLS, HTTP/3 and QUIC limits, event loops. */
    public EngineSettings engineSettings() {
        return engineSettings;
    }

    /** Timeouts and bounds of the tunnels. */
    public TunnelSettings tunnel() {
        return tunnel;
    }

    /**
     * What keeps one client from starving the others: unfinished requests, the relay's tunnel total, per-client
     * connections and rates (zeros resolved at start-up by {@code ResourceBudget}).
     */
    public ClientLimits clientLimits() {
        return clientLimits;
    }

    /**
     * Defaults: the policy's defaults (public addresses only), no operator template, no authentication, 256 tunnels
     * per connection, the {@link QuicEngine#AUTO} engine, {@link EngineSettings.Builder}'s and
     * {@link TunnelSettings.Builder}'s defaults. No listen address; server name and TLS identity have no default.
     */
    public static final class Builder {
        private List<InetSocketAddress> listen = List.of();
        private List<InetSocketAddress> tcpListen = List.of();
        private String serverName;
        private RelayPolicy policy = RelayPolicy.defaults();
        private List<ConnectUdpTemplate> udpTemplates = List.of();
        private AuthConfig auth;
        private int tunnelsPerConnection = 256;
        private QuicEngine engine = QuicEngine.AUTO;
        private final EngineSettings.Builder engineSettings;
        private final TunnelSettings.Builder tunnel;
        private ClientLimits clientLimits = ClientLimits.defaults();

        private Builder() {
            this.engineSettings = EngineSettings.builder();
            this.tunnel = TunnelSettings.builder();
        }

        private Builder(RelaySettings s) {
            this.listen = s.listen;
            this.tcpListen = s.tcpListen;
            this.serverName = s.serverName;
            this.policy = s.policy;
            this.udpTemplates = s.udpTemplates;
            this.auth = s.auth;
            this.tunnelsPerConnection = s.tunnelsPerConnection;
            this.engine = s.engine;
            this.engineSettings = s.engineSettings.newBuilder();
            this.tunnel = s.tunnel.newBuilder();
            this.clientLimits = s.clientLimits;
        }

        public Builder listen(List<InetSocketAddress> value) {
            this.listen = value;
            return this;
        }

        /** The TLS-over-TCP listener's addresses; empty (the default) = none. */
        public Builder tcpListen(List<InetSocketAddress> value) {
            this.tcpListen = value;
            return this;
        }

        public Builder serverName(String value) {
            this.serverName = value;
            return this;
        }

        public Builder policy(RelayPolicy value) {
            this.policy = value;
            return this;
        }

        public Builder udpTemplates(List<ConnectUdpTemplate> value) {
            this.udpTemplates = value;
            return this;
        }

        /** Null turns authentication off. */
        public Builder auth(AuthConfig value) {
            this.auth = value;
            return this;
        }

        /** Also sets the engine's stream limit: this plus {@link #REFUSAL_STREAMS}. */
        public Builder tunnelsPerConnection(int value) {
            this.tunnelsPerConnection = value;
            return this;
        }

        /** Null = {@link QuicEngine#AUTO}. */
        public Builder engine(QuicEngine value) {
            this.engine = value == null ? QuicEngine.AUTO : value;
            return this;
        }

        /** Changes the engine's settings, e.g. {@code b.engineSettings(e -> e.maxFieldSectionSize(512))}. */
        public Builder engineSettings(Consumer<EngineSettings.Builder> change) {
            change.accept(engineSettings);
            return this;
        }

        /** Changes the tunnels' settings, e.g. {@code b.tunnel(t -> t.connectTimeout(Duration.ofSeconds(2)))}. */
        public Builder tunnel(Consumer<TunnelSettings.Builder> change) {
            change.accept(tunnel);
            return this;
        }

        public Builder clientLimits(ClientLimits value) {
            this.clientLimits = value;
            return this;
        }

        public RelaySettings build() {
            return new RelaySettings(this);
        }
    }
}
