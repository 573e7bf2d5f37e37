package org.masquerelay.server.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.masquerelay.policy.RelayPolicy;
import org.masquerelay.wire.QuicLbConnectionId;

/**
 * The relay's whole configuration, immutable. Built from {@link #defaults()}, overridden by the file
 * ({@link ConfigLoader}) and then by command-line flags through {@link #newBuilder()}; the constructor checks the
 * whole, so a builder's {@code build()} is where an inconsistent configuration is refused.
 *
 * @param listen     addresses to listen on, at least one
 * @param serverName the relay's name in Proxy-Status headers and logs
 * @param tls        the TLS identity; empty until the file or a flag names one (dev mode may generate one)
 * @param connectUdp connect-udp settings
 * @param policy     destination policy (names, then resolved addresses)
 * @param auth       client authentication; empty means none
 * @param timeouts   timeouts
 * @param limits     resource limits
 * @param logLevel   how much to log
 * @param engine     which QUIC stack to run (auto unless the file or --engine says otherwise)
 * @param clientCa   mutual TLS ({@code tls.client-ca}): the CAs client certificates must come from; empty = none asked
 * @param admin      the admin listener ({@code admin.listen}: health, readiness, metrics); empty = none
 * @param logFormat  how log lines are written ({@code log.format}: text or json)
 * @param tcpListen  {@code tcp-listen}: TCP addresses of the TLS listener (HTTP/2 and HTTP/1.1, for clients that
 *                   cannot use UDP); empty = the same addresses as {@code listen}; an empty list = no TCP listener
 * @param serverId   QUIC-LB ({@code fleet.server-id}): the server ID every issued connection ID carries; empty = random
 */
public record RelayConfig(List<ListenAddress> listen, String serverName, Optional<TlsConfig> tls,
                          ConnectUdpConfig connectUdp, RelayPolicy policy, Optional<AuthConfig> auth,
                          Timeouts timeouts, Limits limits, LogLevel logLevel, QuicEngine engine,
                          Optional<ClientCaConfig> clientCa, Optional<ListenAddress> admin, LogEncoding logFormat,
                          Optional<List<ListenAddress>> tcpListen, Optional<QuicLbConnectionId> serverId) {

    public static final List<ListenAddress> DEFAULT_LISTEN =
            List.of(new ListenAddress("0.0.0.0", 443), new ListenAddress("::", 443));

    public RelayConfig {
        listen = List.copyOf(listen);
        if (listen.isEmpty()) {
            throw new ConfigException("listen", "at least one address is needed, e.g. [\"0.0.0.0:443\"]");
        }
        Set<ListenAddress> seen = new HashSet<>();
        for (int i = 0; i < listen.size(); i++) {
            if (!seen.add(listen.get(i))) {
                throw new ConfigException("listen[" + i + "]", "'" + listen.get(i) + "' is listed twice");
            }
        }
        ServerName.check("server-name", serverName);
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(connectUdp, "connectUdp");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(clientCa, "clientCa");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(tcpListen, "tcpListen");
        tcpListen = tcpListen.map(List::copyOf);
        if (tcpListen.isPresent()) {
            Set<ListenAddress> tcpSeen = new HashSet<>();
            for (int i = 0; i < tcpListen.get().size(); i++) {
                if (!tcpSeen.add(tcpListen.get().get(i))) {
                    throw new ConfigException("tcp-listen[" + i + "]", "'" + tcpListen.get().get(i) + "' is listed twice");
                }
            }
        }
        if (auth.isPresent() && auth.get().clientCertificateRequired() && clientCa.isEmpty()) {
            throw new ConfigException("auth.client-certificate", "'required' needs tls.client-ca (the CAs whose client"
                    + " certificates are accepted)");
        }
    }

    /**
     * Listen on port 443 on every IPv4 and IPv6 address, no TLS identity yet, every name but only public addresses
     * (never an open door into the relay's network), no authentication.
     */
    public static RelayConfig defaults() {
        return new RelayConfig(DEFAULT_LISTEN, ServerName.defaultName(), Optional.empty(), ConnectUdpConfig.defaults(),
                RelayPolicy.defaults(), Optional.empty(), Timeouts.defaults(), Limits.defaults(), LogLevel.INFO,
                QuicEngine.AUTO, Optional.empty(), Optional.empty(), LogEncoding.TEXT, Optional.empty(), Optional.empty());
    }

    /** The TCP listener's addresses: {@code tcp-listen} when set, else the same as {@code listen}. */
    public List<ListenAddress> tcpListenAddresses() {
        return tcpListen.orElse(listen);
    }

    /** Defaults overridden by the file; see {@link ConfigLoader#load(Path)}. */
    public static RelayConfig load(Path file) {
        return ConfigLoader.load(file);
    }

    public static Builder builder() {
        return defaults().newBuilder();
    }

    /** A builder starting from this configuration. */
    public Builder newBuilder() {
        return new Builder(this);
    }

    /** Changes one setting at a time; {@link #build()} checks the whole. */
    public static final class Builder {
        private List<ListenAddress> listen;
        private String serverName;
        private Optional<TlsConfig> tls;
        private ConnectUdpConfig connectUdp;
        private RelayPolicy policy;
        private Optional<AuthConfig> auth;
        private Timeouts timeouts;
        private Limits limits;
        private LogLevel logLevel;
        private QuicEngine engine;
        private Optional<ClientCaConfig> clientCa;
        private Optional<ListenAddress> admin;
        private LogEncoding logFormat;
        private Optional<QuicLbConnectionId> serverId;
        private Optional<List<ListenAddress>> tcpListen;

        private Builder(RelayConfig c) {
            this.listen = c.listen;
            this.serverName = c.serverName;
            this.tls = c.tls;
            this.connectUdp = c.connectUdp;
            this.policy = c.policy;
            this.auth = c.auth;
            this.timeouts = c.timeouts;
            this.limits = c.limits;
            this.logLevel = c.logLevel;
            this.engine = c.engine;
            this.clientCa = c.clientCa;
            this.admin = c.admin;
            this.logFormat = c.logFormat;
            this.serverId = c.serverId;
            this.tcpListen = c.tcpListen;
        }

        public Builder listen(List<ListenAddress> value) {
            this.listen = value;
            return this;
        }

        /** The TCP listener's addresses; an empty list turns it off; null = the {@code listen} addresses. */
        public Builder tcpListen(List<ListenAddress> value) {
            this.tcpListen = Optional.ofNullable(value);
            return this;
        }

        public Builder serverName(String value) {
            this.serverName = value;
            return this;
        }

        /** Use {@link TlsConfig#pem} or {@link TlsConfig#pkcs12} so the files are checked. */
        public Builder tls(TlsConfig value) {
            this.tls = Optional.of(value);
            return this;
        }

        public Builder connectUdp(ConnectUdpConfig value) {
            this.connectUdp = value;
            return this;
        }

        public Builder policy(RelayPolicy value) {
            this.policy = value;
            return this;
        }

        /** Null turns authentication off. */
        public Builder auth(AuthConfig value) {
            this.auth = Optional.ofNullable(value);
            return this;
        }

        public Builder timeouts(Timeouts value) {
            this.timeouts = value;
            return this;
        }

        public Builder limits(Limits value) {
            this.limits = value;
            return this;
        }

        public Builder logLevel(LogLevel value) {
            this.logLevel = value;
            return this;
        }

        public Builder engine(QuicEngine value) {
            this.engine = value;
            return this;
        }

        /** Mutual TLS; use {@link ClientCaConfig#load} so the file is checked. Null turns it off. */
        public Builder clientCa(ClientCaConfig value) {
            this.clientCa = Optional.ofNullable(value);
            return this;
        }

        /** The admin listener; null turns it off. */
        public Builder admin(ListenAddress value) {
            this.admin = Optional.ofNullable(value);
            return this;
        }

        public Builder logFormat(LogEncoding value) {
            this.logFormat = value;
            return this;
        }

        /** QUIC-LB server ID; null = random connection IDs. */
        public Builder serverId(QuicLbConnectionId value) {
            this.serverId = Optional.ofNullable(value);
            return this;
        }

        public RelayConfig build() {
            return new RelayConfig(listen, serverName, tls, connectUdp, policy, auth, timeouts, limits, logLevel, engine,
                    clientCa, admin, logFormat, tcpListen, serverId);
        }
    }
}
