package org.masquerelay.server;

import org.masquerelay.policy.RelayPolicy;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.server.tunnel.TunnelSettings;
import org.masquerelay.wire.ConnectUdpTemplate;

import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Everything a running relay needs, resolved: sockets to bind, the TLS identity loaded, the policy built. Made from
 * the configuration file and command line by {@code ServerSettingsFactory}, or directly by tests.
 *
 * @param listen                addresses to bind (IPv4 and IPv6 each get their own socket)
 * @param identity              TLS key store with one key entry
 * @param identityAlias         its alias
 * @param identityPassword      its password
 * @param serverName            our name in Proxy-Status (RFC 9209 §2: the proxy's identifier)
 * @param policy                which targets may be reached
 * @param udpTemplates          operator connect-udp templates, served besides the default one
 * @param auth                  credential check, or null for none
 * @param tunnel                tunnel timeouts
 * @param tunnelsPerConnection  concurrent tunnels one connection may hold
 * @param maxFieldSectionSize   largest request header section
 * @param maxDataFrameSize      largest DATA frame
 * @param quicIdleTimeout       QUIC idle timeout
 * @param streamWindow          QUIC receive window per request stream
 * @param maxConnections        concurrent client connections per listener
 * @param engine                the QUIC stack every listener runs
 * @param eventLoops            quiche engine: event-loop threads, each with its own SO_REUSEPORT socket (0 = one per
 *                              core)
 * @param clientCaCertificates  mutual TLS: client certificates must come from one of these CAs (quiche engine only);
 *                              empty = no client certificates asked for
 * @param tcpListen             TCP addresses of the TLS listener (HTTP/2 and HTTP/1.1, for clients without UDP);
 *                              port 0 on an address that HTTP/3 also binds with port 0 takes HTTP/3's port; empty = none
 */
public record RelaySettings(List<InetSocketAddress> listen, KeyStore identity, String identityAlias, char[] identityPassword,
                            String serverName, RelayPolicy policy, List<ConnectUdpTemplate> udpTemplates,
                            AuthConfig auth, TunnelSettings tunnel, int tunnelsPerConnection,
                            int maxFieldSectionSize, long maxDataFrameSize, Duration quicIdleTimeout,
                            long streamWindow, int maxConnections, QuicEngine engine,
                            List<X509Certificate> clientCaCertificates, int eventLoops,
                            List<InetSocketAddress> tcpListen) {

    public RelaySettings {
        engine = engine == null ? QuicEngine.AUTO : engine;
        clientCaCertificates = clientCaCertificates == null ? List.of() : List.copyOf(clientCaCertificates);
        tcpListen = tcpListen == null ? List.of() : List.copyOf(tcpListen);
    }

    /** Without a TCP listener. */
    public RelaySettings(List<InetSocketAddress> listen, KeyStore identity, String identityAlias, char[] identityPassword,
                         String serverName, RelayPolicy policy, List<ConnectUdpTemplate> udpTemplates,
                         AuthConfig auth, TunnelSettings tunnel, int tunnelsPerConnection,
                         int maxFieldSectionSize, long maxDataFrameSize, Duration quicIdleTimeout,
                         long streamWindow, int maxConnections, QuicEngine engine,
                         List<X509Certificate> clientCaCertificates, int eventLoops) {
        this(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, tunnel,
                tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow,
                maxConnections, engine, clientCaCertificates, eventLoops, List.of());
    }

    /** Without mutual TLS. */
    public RelaySettings(List<InetSocketAddress> listen, KeyStore identity, String identityAlias, char[] identityPassword,
                         String serverName, RelayPolicy policy, List<ConnectUdpTemplate> udpTemplates,
                         AuthConfig auth, TunnelSettings tunnel, int tunnelsPerConnection,
                         int maxFieldSectionSize, long maxDataFrameSize, Duration quicIdleTimeout,
                         long streamWindow, int maxConnections, QuicEngine engine) {
        this(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, tunnel,
                tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow,
                maxConnections, engine, List.of(), 0);
    }

    /** On the default engine ({@link QuicEngine#AUTO}). */
    public RelaySettings(List<InetSocketAddress> listen, KeyStore identity, String identityAlias, char[] identityPassword,
                         String serverName, RelayPolicy policy, List<ConnectUdpTemplate> udpTemplates,
                         AuthConfig auth, TunnelSettings tunnel, int tunnelsPerConnection,
                         int maxFieldSectionSize, long maxDataFrameSize, Duration quicIdleTimeout,
                         long streamWindow, int maxConnections) {
        this(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, tunnel,
                tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow,
                maxConnections, QuicEngine.AUTO);
    }

    public RelaySettings withEngine(QuicEngine value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, tunnel, tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow, maxConnections, value, clientCaCertificates, eventLoops, tcpListen);
    }

    public RelaySettings withPolicy(RelayPolicy value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, value, udpTemplates, auth, tunnel, tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow, maxConnections, engine, clientCaCertificates, eventLoops, tcpListen);
    }

    public RelaySettings withUdpTemplates(List<ConnectUdpTemplate> value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, policy, value, auth, tunnel, tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow, maxConnections, engine, clientCaCertificates, eventLoops, tcpListen);
    }

    public RelaySettings withAuth(AuthConfig value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, value, tunnel, tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow, maxConnections, engine, clientCaCertificates, eventLoops, tcpListen);
    }

    public RelaySettings withTunnel(TunnelSettings value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, value, tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow, maxConnections, engine, clientCaCertificates, eventLoops, tcpListen);
    }

    public RelaySettings withTunnelsPerConnection(int value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, tunnel, value, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow, maxConnections, engine, clientCaCertificates, eventLoops, tcpListen);
    }

    public RelaySettings withMaxFieldSectionSize(int value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, tunnel, tunnelsPerConnection, value, maxDataFrameSize, quicIdleTimeout, streamWindow, maxConnections, engine, clientCaCertificates, eventLoops, tcpListen);
    }

    public RelaySettings withMaxDataFrameSize(long value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, tunnel, tunnelsPerConnection, maxFieldSectionSize, value, quicIdleTimeout, streamWindow, maxConnections, engine, clientCaCertificates, eventLoops, tcpListen);
    }

    public RelaySettings withEventLoops(int value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, tunnel, tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow, maxConnections, engine, clientCaCertificates, value, tcpListen);
    }

    public RelaySettings withClientCaCertificates(List<X509Certificate> value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, tunnel, tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow, maxConnections, engine, value, eventLoops, tcpListen);
    }

    public RelaySettings withTcpListen(List<InetSocketAddress> value) {
        return new RelaySettings(listen, identity, identityAlias, identityPassword, serverName, policy, udpTemplates, auth, tunnel, tunnelsPerConnection, maxFieldSectionSize, maxDataFrameSize, quicIdleTimeout, streamWindow, maxConnections, engine, clientCaCertificates, eventLoops, value);
    }
}
