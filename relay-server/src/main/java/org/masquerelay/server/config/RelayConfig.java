package org.masquerelay.server.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.masquerelay.policy.RelayPolicy;

/**
 * The relay's whole configuration, immutable. Built from {@link #defaults()}, overridden by the file
 * ({@link ConfigLoader}) and then by command-line flags through the {@code with...} methods.
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
 */
public record RelayConfig(List<ListenAddress> listen, String serverName, Optional<TlsConfig> tls,
                          ConnectUdpConfig connectUdp, RelayPolicy policy, Optional<AuthConfig> auth,
                          Timeouts timeouts, Limits limits, LogLevel logLevel, QuicEngine engine,
                          Optional<ClientCaConfig> clientCa, Optional<ListenAddress> admin, LogEncoding logFormat) {

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
        if (auth.isPresent() && auth.get().clientCertificateRequired() && clientCa.isEmpty()) {
            throw new ConfigException("auth.client-certificate", "'required' needs tls.client-ca (the CAs whose client"
                    + " certificates are accepted)");
        }
    }

    /** Without an admin listener, logging text. */
    public RelayConfig(List<ListenAddress> listen, String serverName, Optional<TlsConfig> tls,
                       ConnectUdpConfig connectUdp, RelayPolicy policy, Optional<AuthConfig> auth,
                       Timeouts timeouts, Limits limits, LogLevel logLevel, QuicEngine engine,
                       Optional<ClientCaConfig> clientCa) {
        this(listen, serverName, tls, connectUdp, policy, auth, timeouts, limits, logLevel, engine, clientCa,
                Optional.empty(), LogEncoding.TEXT);
    }

    /** Without mutual TLS. */
    public RelayConfig(List<ListenAddress> listen, String serverName, Optional<TlsConfig> tls,
                       ConnectUdpConfig connectUdp, RelayPolicy policy, Optional<AuthConfig> auth,
                       Timeouts timeouts, Limits limits, LogLevel logLevel, QuicEngine engine) {
        this(listen, serverName, tls, connectUdp, policy, auth, timeouts, limits, logLevel, engine, Optional.empty());
    }

    /** With the default engine (auto). */
    public RelayConfig(List<ListenAddress> listen, String serverName, Optional<TlsConfig> tls,
                       ConnectUdpConfig connectUdp, RelayPolicy policy, Optional<AuthConfig> auth,
                       Timeouts timeouts, Limits limits, LogLevel logLevel) {
        this(listen, serverName, tls, connectUdp, policy, auth, timeouts, limits, logLevel, QuicEngine.AUTO);
    }

    /**
     * Listen on port 443 on every IPv4 and IPv6 address, no TLS identity yet, every name but only public addresses
     * (never an open door into the relay's network), no authentication.
     */
    public static RelayConfig defaults() {
        return new RelayConfig(DEFAULT_LISTEN, ServerName.defaultName(), Optional.empty(), ConnectUdpConfig.defaults(),
                RelayPolicy.defaults(), Optional.empty(), Timeouts.defaults(), Limits.defaults(), LogLevel.INFO,
                QuicEngine.AUTO);
    }

    /** Defaults overridden by the file; see {@link ConfigLoader#load(Path)}. */
    public static RelayConfig load(Path file) {
        return ConfigLoader.load(file);
    }

    public RelayConfig withListen(List<ListenAddress> newListen) {
        return new RelayConfig(newListen, serverName, tls, connectUdp, policy, auth, timeouts, limits, logLevel, engine, clientCa, admin, logFormat);
    }

    public RelayConfig withServerName(String newServerName) {
        return new RelayConfig(listen, newServerName, tls, connectUdp, policy, auth, timeouts, limits, logLevel, engine, clientCa, admin, logFormat);
    }

    /** Use {@link TlsConfig#pem} or {@link TlsConfig#pkcs12} so the files are checked. */
    public RelayConfig withTls(TlsConfig newTls) {
        return new RelayConfig(listen, serverName, Optional.of(newTls), connectUdp, policy, auth, timeouts, limits,
                logLevel, engine, clientCa, admin, logFormat);
    }

    public RelayConfig withConnectUdp(ConnectUdpConfig newConnectUdp) {
        return new RelayConfig(listen, serverName, tls, newConnectUdp, policy, auth, timeouts, limits, logLevel, engine, clientCa, admin, logFormat);
    }

    public RelayConfig withPolicy(RelayPolicy newPolicy) {
        return new RelayConfig(listen, serverName, tls, connectUdp, newPolicy, auth, timeouts, limits, logLevel, engine, clientCa, admin, logFormat);
    }

    /** An empty value turns authentication off. */
    public RelayConfig withAuth(Optional<AuthConfig> newAuth) {
        return new RelayConfig(listen, serverName, tls, connectUdp, policy, newAuth, timeouts, limits, logLevel, engine, clientCa, admin, logFormat);
    }

    public RelayConfig withTimeouts(Timeouts newTimeouts) {
        return new RelayConfig(listen, serverName, tls, connectUdp, policy, auth, newTimeouts, limits, logLevel, engine, clientCa, admin, logFormat);
    }

    public RelayConfig withLimits(Limits newLimits) {
        return new RelayConfig(listen, serverName, tls, connectUdp, policy, auth, timeouts, newLimits, logLevel, engine, clientCa, admin, logFormat);
    }

    public RelayConfig withLogLevel(LogLevel newLogLevel) {
        return new RelayConfig(listen, serverName, tls, connectUdp, policy, auth, timeouts, limits, newLogLevel, engine, clientCa, admin, logFormat);
    }

    public RelayConfig withEngine(QuicEngine newEngine) {
        return new RelayConfig(listen, serverName, tls, connectUdp, policy, auth, timeouts, limits, logLevel, newEngine, clientCa, admin, logFormat);
    }

    /** Mutual TLS; use {@link ClientCaConfig#load} so the file is checked. Empty turns it off. */
    public RelayConfig withClientCa(Optional<ClientCaConfig> newClientCa) {
        return new RelayConfig(listen, serverName, tls, connectUdp, policy, auth, timeouts, limits, logLevel, engine,
                newClientCa, admin, logFormat);
    }

    /** The admin listener; empty turns it off. */
    public RelayConfig withAdmin(Optional<ListenAddress> newAdmin) {
        return new RelayConfig(listen, serverName, tls, connectUdp, policy, auth, timeouts, limits, logLevel, engine,
                clientCa, newAdmin, logFormat);
    }

    public RelayConfig withLogFormat(LogEncoding newLogFormat) {
        return new RelayConfig(listen, serverName, tls, connectUdp, policy, auth, timeouts, limits, logLevel, engine,
                clientCa, admin, newLogFormat);
    }
}
