package org.masquerelay.server.cli;

import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.server.config.Limits;
import org.masquerelay.server.config.RelayConfig;
import org.masquerelay.server.config.Timeouts;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a reload changes, by configuration key, never by value (a credential must not reach the log): what applies to
 * new tunnels and connections at once, and what only a restart can change (sockets, the engine, the engine's own
 * limits), which the reload leaves as it was.
 *
 * @param applied     keys whose new values new tunnels and connections get
 * @param needRestart keys whose new values wait for a restart
 * @param identity    whether the TLS certificate or key changed (contents, not file names: rotation keeps the names)
 */
record ConfigChanges(List<String> applied, List<String> needRestart, boolean identity) {

    static ConfigChanges between(RelayConfig old, RelaySettings oldSettings, RelayConfig next, RelaySettings nextSettings) {
        List<String> applied = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        boolean identity = !sameIdentity(oldSettings, nextSettings);
        if (identity) {
            applied.add("tls certificate and key");
        }
        if (!old.serverName().equals(next.serverName())) {
            applied.add("server-name");
        }
        if (!old.connectUdp().equals(next.connectUdp())) {
            applied.add("connect-udp");
        }
        if (!ConfigSummary.policy(old.policy()).equals(ConfigSummary.policy(next.policy()))) {
            applied.add("policy");
        }
        if (!old.auth().equals(next.auth())) {
            applied.add("auth");
        }
        timeouts(old.timeouts(), next.timeouts(), applied, restart);
        limits(old.limits(), next.limits(), applied, restart);
        if (old.logLevel() != next.logLevel()) {
            applied.add("log.level");
        }
        if (old.logFormat() != next.logFormat()) {
            applied.add("log.format");
        }
        if (!old.listen().equals(next.listen())) {
            restart.add("listen");
        }
        if (!old.tcpListen().equals(next.tcpListen())) {
            restart.add("tcp-listen");
        }
        if (!old.serverId().map(id -> Arrays.toString(id.serverId())).equals(next.serverId().map(id -> Arrays.toString(id.serverId())))) {
            restart.add("fleet"); // the connection IDs' server ID is fixed when the listeners start
        }
        if (old.engine() != next.engine()) {
            restart.add("engine");
        }
        if (!old.clientCa().map(c -> c.certificates()).equals(next.clientCa().map(c -> c.certificates()))) {
            restart.add("tls.client-ca");
        }
        if (!old.admin().equals(next.admin())) {
            restart.add("admin");
        }
        return new ConfigChanges(applied, restart, identity);
    }

    private static void timeouts(Timeouts a, Timeouts b, List<String> applied, List<String> restart) {
        if (!a.connect().equals(b.connect()) || !a.happyEyeballsDelay().equals(b.happyEyeballsDelay()) || !a.idle().equals(b.idle())) {
            applied.add("timeouts");
        }
        if (!a.quicIdle().equals(b.quicIdle())) {
            restart.add("timeouts.quic-idle");
        }
        if (!a.drain().equals(b.drain())) {
            restart.add("timeouts.drain");
        }
    }

    /** The engine's limits are fixed when its listeners start; the relay's own apply to new connections and tunnels. */
    private static void limits(Limits a, Limits b, List<String> applied, List<String> restart) {
        List<String> engine = new ArrayList<>();
        check(engine, "limits.stream-window", a.streamWindow(), b.streamWindow());
        check(engine, "limits.max-header-size", a.maxHeaderSize(), b.maxHeaderSize());
        check(engine, "limits.max-data-frame", a.maxDataFrame(), b.maxDataFrame());
        check(engine, "limits.max-connections", a.maxConnections(), b.maxConnections());
        check(engine, "limits.event-loops", a.eventLoops(), b.eventLoops());
        // Counted relay-wide from start-up (the tunnel total, unfinished requests, client admission, Retry): one
        // instance each, shared by every listener, so a new value waits for a restart.
        ClientLimits ca = a.clients();
        ClientLimits cb = b.clients();
        if (!ca.requestHeaderTimeout().equals(cb.requestHeaderTimeout())) {
            engine.add("timeouts.request-header");
        }
        check(engine, "limits.unfinished-requests-per-connection", ca.unfinishedRequestsPerConnection(),
                cb.unfinishedRequestsPerConnection());
        check(engine, "limits.unfinished-requests", ca.unfinishedRequests(), cb.unfinishedRequests());
        check(engine, "limits.max-tunnels", ca.maxTunnels(), cb.maxTunnels());
        check(engine, "limits.connections-per-address", ca.connectionsPerAddress(), cb.connectionsPerAddress());
        check(engine, "limits.new-connections-per-second", ca.newConnectionsPerSecond(), cb.newConnectionsPerSecond());
        check(engine, "limits.retry-above-handshakes", ca.retryAboveHandshakes(), cb.retryAboveHandshakes());
        restart.addAll(engine);
        // The relay's own limits (tunnels per connection, new tunnels per second, pending datagrams, and any limit
        // added later that is not one of those above) apply to new connections and tunnels.
        if (a.tunnelsPerConnection() != b.tunnelsPerConnection() || a.pendingDatagrams() != b.pendingDatagrams()
                || ca.newTunnelsPerSecond() != cb.newTunnelsPerSecond() || (!a.equals(b) && engine.isEmpty())) {
            applied.add("limits");
        }
    }

    private static void check(List<String> out, String key, long a, long b) {
        if (a != b) {
            out.add(key);
        }
    }

    private static boolean sameIdentity(RelaySettings a, RelaySettings b) {
        try {
            var ea = a.engineSettings();
            var eb = b.engineSettings();
            KeyStore x = ea.keyStore();
            KeyStore y = eb.keyStore();
            Key kx = x.getKey(ea.keyAlias(), ea.keyPassword());
            Key ky = y.getKey(eb.keyAlias(), eb.keyPassword());
            Certificate[] cx = x.getCertificateChain(ea.keyAlias());
            Certificate[] cy = y.getCertificateChain(eb.keyAlias());
            return kx != null && ky != null && Arrays.equals(kx.getEncoded(), ky.getEncoded()) && Arrays.equals(cx, cy);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    boolean isEmpty() {
        return applied.isEmpty() && needRestart.isEmpty();
    }

    @Override
    public String toString() {
        return Objects.toString(applied) + " " + needRestart;
    }
}
