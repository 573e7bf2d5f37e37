package org.masquerelay.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads the YAML configuration file into a {@link RelayConfig}: the defaults, overridden by whatever the file sets.
 * Every problem is a {@link ConfigException} naming the key, so the relay refuses to start rather than run with a
 * configuration the operator did not mean.
 */
public final class ConfigLoader {

    static final Set<String> TOP_LEVEL_KEYS = Set.of("listen", "tcp-listen", "server-name", "tls", "connect-udp", "policy",
            "auth", "timeouts", "limits", "log", "engine", "admin", "fleet");
    private static final Set<String> CONNECT_UDP_KEYS = Set.of("template");
    private static final Set<String> TIMEOUT_KEYS = Set.of("connect", "happy-eyeballs-delay", "idle", "quic-idle",
            "request-header", "drain");
    private static final Set<String> LIMIT_KEYS = Set.of("tunnels-per-connection", "stream-window",
            "pending-datagrams", "max-header-size", "max-data-frame", "max-connections", "event-loops",
            "unfinished-requests-per-connection", "unfinished-requests", "max-tunnels", "connections-per-address",
            "new-connections-per-second", "new-tunnels-per-second", "retry-above-handshakes");
    private static final Set<String> LOG_KEYS = Set.of("level", "format");
    private static final Set<String> ADMIN_KEYS = Set.of("listen");

    private ConfigLoader() {
    }

    /** Loads a file; relative paths inside it are taken from the file's folder. */
    public static RelayConfig load(Path file) {
        return load(file, true);
    }

    /**
     * Loads a file for what it says about clients (policy, auth, ...), leaving the {@code tls} section unread: a
     * configuration profile for devices needs no certificate files of the relay's, which may live elsewhere.
     */
    public static RelayConfig loadWithoutTls(Path file) {
        return load(file, false);
    }

    private static RelayConfig load(Path file, boolean withTls) {
        if (!Files.exists(file)) {
            throw new ConfigException(null, "configuration file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException(null, "configuration file " + file + " is not a readable file");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(null, "cannot read configuration file " + file + " (it must be UTF-8 text): "
                    + e.getMessage(), e);
        }
        Path baseDir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), baseDir, withTls);
    }

    /**
     * Parses configuration text.
     *
     * @param label   how to name the source in syntax errors, e.g. the file name
     * @param baseDir the folder relative paths are taken from
     */
    public static RelayConfig parse(String yaml, String label, Path baseDir) {
        return parse(yaml, label, baseDir, true);
    }

    private static RelayConfig parse(String yaml, String label, Path baseDir, boolean withTls) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(label)
                // A key given twice is almost always a mistake; the default would keep the last one silently.
                .setAllowDuplicateKeys(false)
                .build();
        Object document;
        try {
            document = new Load(settings).loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw new ConfigException(null, label + " is not valid YAML: " + e.getMessage(), e);
        }
        return read(YamlSection.root(document), baseDir, withTls);
    }

    private static RelayConfig read(YamlSection root, Path baseDir, boolean withTls) {
        root.allowOnly(TOP_LEVEL_KEYS);
        RelayConfig defaults = RelayConfig.defaults();
        RelayConfig.Builder config = defaults.newBuilder();
        if (root.has("listen")) {
            config.listen(listen(root));
        }
        if (root.has("tcp-listen")) {
            List<String> items = root.stringList("tcp-listen");
            List<ListenAddress> tcp = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                tcp.add(ListenAddress.parse("tcp-listen[" + i + "]", items.get(i)));
            }
            config.tcpListen(tcp);
        }
        Optional<String> serverName = root.string("server-name");
        if (serverName.isPresent()) {
            config.serverName(serverName.get());
        }
        Optional<YamlSection> tls = withTls ? root.section("tls") : Optional.empty();
        if (tls.isPresent()) {
            Optional<ClientCaConfig> clientCa = TlsReader.clientCa(tls.get(), baseDir);
            if (clientCa.isEmpty() || TlsReader.hasIdentity(tls.get())) {
                config.tls(TlsReader.read(tls.get(), baseDir));
            }
            config.clientCa(clientCa.orElse(null));
        }
        Optional<YamlSection> connectUdp = root.section("connect-udp");
        if (connectUdp.isPresent()) {
            connectUdp.get().allowOnly(CONNECT_UDP_KEYS);
            config.connectUdp(new ConnectUdpConfig(connectUdp.get().string("template").orElse(null)));
        }
        Optional<YamlSection> policy = root.section("policy");
        if (policy.isPresent()) {
            config.policy(PolicyReader.read(policy.get()));
        }
        Optional<YamlSection> auth = root.section("auth");
        if (auth.isPresent()) {
            config.auth(AuthReader.read(auth.get(), baseDir));
        }
        Optional<YamlSection> timeouts = root.section("timeouts");
        if (timeouts.isPresent()) {
            config.timeouts(timeouts(timeouts.get(), defaults.timeouts()));
        }
        Optional<YamlSection> limits = root.section("limits");
        if (limits.isPresent() || (timeouts.isPresent() && timeouts.get().has("request-header"))) {
            Limits read = limits.isPresent() ? limits(limits.get(), defaults.limits()) : defaults.limits();
            if (timeouts.isPresent() && timeouts.get().has("request-header")) {
                // A timeout by its name, but one of the limits that keep a client from holding the relay's memory.
                Duration header = Durations.parse(timeouts.get().keyPath("request-header"),
                        timeouts.get().raw("request-header"));
                read = read.withClients(read.clients().withRequestHeaderTimeout(header));
            }
            config.limits(read);
        }
        Optional<String> engine = root.string("engine");
        if (engine.isPresent()) {
            config.engine(QuicEngine.parse("engine", engine.get()));
        }
        Optional<YamlSection> fleet = root.section("fleet");
        if (fleet.isPresent()) {
            config.serverId(FleetReader.read(fleet.get()).orElse(null));
        }
        Optional<YamlSection> log = root.section("log");
        if (log.isPresent()) {
            log.get().allowOnly(LOG_KEYS);
            Optional<String> level = log.get().string("level");
            if (level.isPresent()) {
                config.logLevel(LogLevel.parse("log.level", level.get()));
            }
            Optional<String> format = log.get().string("format");
            if (format.isPresent()) {
                config.logFormat(LogEncoding.parse("log.format", format.get()));
            }
        }
        Optional<YamlSection> admin = root.section("admin");
        if (admin.isPresent()) {
            admin.get().allowOnly(ADMIN_KEYS);
            Optional<String> listen = admin.get().string("listen");
            if (listen.isPresent()) {
                config.admin(ListenAddress.parse("admin.listen", listen.get()));
            }
        }
        return config.build();
    }

    private static List<ListenAddress> listen(YamlSection root) {
        List<String> items = root.stringList("listen");
        List<ListenAddress> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(ListenAddress.parse("listen[" + i + "]", items.get(i)));
        }
        return out;
    }

    private static Timeouts timeouts(YamlSection s, Timeouts d) {
        s.allowOnly(TIMEOUT_KEYS);
        return new Timeouts(
                duration(s, "connect", d.connect()),
                duration(s, "happy-eyeballs-delay", d.happyEyeballsDelay()),
                duration(s, "idle", d.idle()),
                duration(s, "quic-idle", d.quicIdle()),
                duration(s, "drain", d.drain()));
    }

    private static Duration duration(YamlSection s, String key, Duration fallback) {
        return s.has(key) ? Durations.parse(s.keyPath(key), s.raw(key)) : fallback;
    }

    private static Limits limits(YamlSection s, Limits d) {
        s.allowOnly(LIMIT_KEYS);
        return new Limits(
                s.positiveInt("tunnels-per-connection").orElse(d.tunnelsPerConnection()),
                s.positiveInt("stream-window").orElse(d.streamWindow()),
                s.positiveInt("pending-datagrams").orElse(d.pendingDatagrams()),
                s.positiveInt("max-header-size").orElse(d.maxHeaderSize()),
                s.positiveInt("max-data-frame").orElse(d.maxDataFrame()),
                s.positiveInt("max-connections").orElse(d.maxConnections()),
                s.has("event-loops") ? eventLoops(s) : d.eventLoops(),
                clientLimits(s, d.clients()));
    }

    private static ClientLimits clientLimits(YamlSection s, ClientLimits d) {
        return new ClientLimits(d.requestHeaderTimeout(),
                s.positiveInt("unfinished-requests-per-connection").orElse(d.unfinishedRequestsPerConnection()),
                count(s, "unfinished-requests", d.unfinishedRequests()),
                count(s, "max-tunnels", d.maxTunnels()),
                count(s, "connections-per-address", d.connectionsPerAddress()),
                count(s, "new-connections-per-second", d.newConnectionsPerSecond()),
                count(s, "new-tunnels-per-second", d.newTunnelsPerSecond()),
                count(s, "retry-above-handshakes", d.retryAboveHandshakes()));
    }

    /** A count where 0 has a meaning of its own (derived, or no limit). */
    private static int count(YamlSection s, String key, int fallback) {
        if (!s.has(key)) {
            return fallback;
        }
        String raw = String.valueOf(s.raw(key)).trim();
        try {
            int value = Integer.parseInt(raw);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ConfigException(s.keyPath(key), "must be 0 or a positive integer, got '" + raw + "'");
    }

    private static int eventLoops(YamlSection s) {
        String raw = String.valueOf(s.raw("event-loops")).trim();
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException(s.keyPath("event-loops"), "must be 0 (one per core) or a thread count, got '" + raw + "'");
        }
    }
}
