package org.masquerelay.client;

import org.masquerelay.client.internal.DirectTcpChannel;
import org.masquerelay.client.internal.DirectUdpChannel;
import org.masquerelay.client.internal.RelayHop;
import org.masquerelay.client.internal.TunnelDatagramSocket;
import org.masquerelay.client.internal.VerifyingTrustManager;
import org.masquerelay.engine.ClientEngine;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.Target;

import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import static java.lang.System.Logger.Level.DEBUG;

/**
 * A MASQUE relay client: TCP flows as classic HTTP/3 CONNECT and UDP flows as connect-udp, the way Apple's relay
 * client opens them, over one shared QUIC connection per relay (re-established when it has closed). Where UDP does
 * not get through, the same tunnels go over HTTP/2 (or HTTP/1.1) on TLS over TCP ({@link Builder#transport}; auto
 * races HTTP/3 and HTTP/2 as Apple's client does). With several relays, each is reached through a connect-udp tunnel
 * of the one before (NERelayManager's {@code relays} chain).
 *
 * <pre>{@code
 * try (RelayClient client = RelayClient.builder().relay("https://relay.example:443/").trustCaFile(ca).build();
 *      TcpTunnel t = client.openTcp("example.com", 80)) {
 *     t.outputStream().write(request);   // optimistic: goes out before the relay's 200
 *     t.shutdownOutput();
 *     t.inputStream().transferTo(out);   // throws TunnelRefusedException etc. if the relay said no
 * }
 * }</pre>
 */
public final class RelayClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RelayClient.class.getName());

    private static final Route RELAYED = new Route(true, "opened as a relayed tunnel");

    private final List<RelayHop> hops;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final RoutePolicy routePolicy;
    private final UdpMode udpMode;
    private final ClientEngine engine;

    private RelayClient(Builder b) {
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.routePolicy = b.routePolicy;
        this.udpMode = b.udpMode;
        this.engine = b.engine;
        ClientEngineSettings.Builder hopSettings = ClientEngineSettings.builder()
                .connectTimeout(b.connectTimeout)
                .idleTimeout(b.idleTimeout)
                .insecure(b.insecure)
                .keyLogFile(b.keyLogFile)
                .clientIdentity(b.clientIdentity, b.clientIdentityPassword);
        if (b.relays.size() > 1 && !engine.acceptsSuppliedSockets()) {
            throw new IllegalArgumentException("chaining " + b.relays.size() + " relays needs the kwik engine: this"
                    + " engine cannot send QUIC through another relay's connect-udp tunnel");
        }
        List<RelayHop> list = new ArrayList<>();
        RelayHop previous = null;
        for (RelayEndpoint endpoint : b.relays) {
            // Each hop gets its own verifier: it checks that hop's host name and keeps the reason of a failure.
            VerifyingTrustManager trust = new VerifyingTrustManager(b.trustManager, endpoint.host());
            ClientEngineSettings s = hopSettings.relay(endpoint.host(), endpoint.port()).trustManager(trust).build();
            RelayHop before = previous;
            // QUIC packets from the engine are ~1252 bytes: more than a QUIC DATAGRAM inside another QUIC connection
            // can hold (~1233), so a carrier tunnel uses DATAGRAM capsules.
            RelayHop.Carrier carrier = before == null ? null
                    : () -> openUdpOn(before, endpoint.host(), endpoint.port(), UdpMode.CAPSULES, RELAYED);
            previous = new RelayHop(endpoint, before == null ? null : before.endpoint(), carrier, engine, s, trust, b.headers,
                    b.transport);
            list.add(previous);
        }
        this.hops = List.copyOf(list);
    }

    /** A builder: at least one {@link Builder#relay relay}; everything else has a default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The relays, first hop first. */
    public List<RelayEndpoint> relays() {
        return hops.stream().map(RelayHop::endpoint).toList();
    }

    /** Connects to every hop now (otherwise the first tunnel does); returns the last hop's connect time. */
    public Duration connect() throws RelayException {
        return Duration.ofNanos(last().connection().connectNanos());
    }

    /**
     * Which transport the connection to the first relay uses, and why (auto mode: how the race went); connects if
     * needed. E.g. {@code h2 (auto: no HTTP/3 answer within the 300 ms head start, ...)}.
     */
    public RelayTransport.Choice transportChoice() throws RelayException {
        return hops.get(0).connection().choice();
    }

    /** Whether UDP payloads can go as QUIC DATAGRAM frames on the (last hop's) connection; connects if needed. */
    public boolean datagramsOffered() throws RelayException {
        return last().connection().datagrams();
    }

    /** How many QUIC connections were made to the last relay (1 as long as the first one lives). */
    public int connectionsMade() {
        return last().connectionsMade();
    }

    /** Runs when the current connection to the last relay ends (connecting first if needed); for tests. */
    void onConnectionClosed(Runnable listener) throws RelayException {
        last().connection().connection().onClose(reason -> listener.run());
    }

    /** The route policy's decision for a destination host. */
    public Route route(String host) {
        return routePolicy.decide(host);
    }

    /** A TCP flow through the relay, whatever the route policy says (classic CONNECT). */
    public TcpTunnel openTcp(String host, int port) throws IOException {
        return openTcp(host, port, RELAYED);
    }

    private TcpTunnel openTcp(String host, int port, Route route) throws IOException {
        Target target = target(host, port);
        RelayHop.Opened opened = last().openConnect(target);
        return new TcpTunnel(opened.stream(), opened.request(), target.authority(), route, requestTimeout);
    }

    /** A UDP flow through the relay (connect-udp), with the client's configured {@link UdpMode}. */
    public UdpTunnel openUdp(String host, int port) throws IOException {
        return openUdp(host, port, udpMode);
    }

    /** A UDP flow through the relay (connect-udp), its payloads carried as {@code mode} says. */
    public UdpTunnel openUdp(String host, int port, UdpMode mode) throws IOException {
        return openUdpOn(last(), host, port, mode, RELAYED);
    }

    private UdpTunnel openUdpOn(RelayHop hop, String host, int port, UdpMode mode, Route route) throws RelayException {
        Target target;
        try {
            target = target(host, port);
        } catch (IllegalArgumentException e) {
            throw new RelayException(e.getMessage(), e);
        }
        RelayHop.Opened opened = hop.openConnectUdp(target);
        boolean capsules = mode == UdpMode.CAPSULES || !opened.connected().datagrams();
        return new UdpTunnel(opened.stream(), opened.connected(), capsules, opened.request(), target.authority(), route, requestTimeout);
    }

    /** A TCP flow routed by the policy: through the relay when matched, else a direct socket. */
    public TcpChannel connectTcp(String host, int port) throws IOException {
        return connectTcp(host, port, route(host));
    }

    /**
     * A TCP flow on a route already decided, e.g. for the name in a URL when the connection goes elsewhere
     * (curl's --connect-to): through the relay, or a direct socket.
     */
    public TcpChannel connectTcp(String host, int port, Route route) throws IOException {
        LOG.log(DEBUG, "tcp {0}:{1} -> {2}", host, Integer.toString(port), route);
        if (route.relayed()) {
            return openTcp(host, port, route);
        }
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new IOException("direct connection to " + host + ":" + port + " timed out", e);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new DirectTcpChannel(socket, route);
    }

    /** A UDP flow routed by the policy: through the relay when matched, else a direct (connected) socket. */
    public UdpChannel connectUdp(String host, int port) throws IOException {
        Route route = route(host);
        LOG.log(DEBUG, "udp {0}:{1} -> {2}", host, port, route);
        if (route.relayed()) {
            return openUdpOn(last(), host, port, udpMode, route);
        }
        DatagramSocket socket = new DatagramSocket();
        socket.connect(new InetSocketAddress(host, port));
        return new DirectUdpChannel(socket, route);
    }

    /**
     * A UDP socket whose datagrams go through a connect-udp tunnel to the target, for a QUIC engine to use
     * (HTTP/3 to a target through the relay; this is also how relays are chained). Capsules carry the packets:
     * a full-size QUIC packet does not fit a QUIC DATAGRAM of the outer connection.
     */
    public DatagramSocket udpSocketTo(String host, int port) throws IOException {
        return datagramSocket(openUdp(host, port, UdpMode.CAPSULES));
    }

    /** A DatagramSocket over an open UDP tunnel (see {@link #udpSocketTo}); closing it closes the tunnel. */
    public static DatagramSocket datagramSocket(UdpTunnel tunnel) throws IOException {
        return new TunnelDatagramSocket(tunnel);
    }

    /** The engine, and the trust/identity settings, for making further QUIC connections (e.g. to a target). */
    public ClientEngine engine() {
        return engine;
    }

    private RelayHop last() {
        return hops.get(hops.size() - 1);
    }

    private static Target target(String host, int port) {
        try {
            return Target.of(host, port);
        } catch (Refusal | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid target " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Closes the relay connections (last hop first); open tunnels end with them. */
    @Override
    public void close() {
        for (int i = hops.size() - 1; i >= 0; i--) {
            hops.get(i).close();
        }
    }

    public static final class Builder {
        private final List<RelayEndpoint> relays = new ArrayList<>();
        private final List<HttpFields.Field> headers = new ArrayList<>();
        private X509TrustManager trustManager;
        private boolean insecure;
        private KeyStore clientIdentity;
        private char[] clientIdentityPassword;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(15);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private RoutePolicy routePolicy = RoutePolicy.relayEverything();
        private UdpMode udpMode = UdpMode.AUTO;
        private ClientEngine engine = ClientEngines.auto();
        private RelayTransport transport = RelayTransport.H3;
        private Path keyLogFile;

        private Builder() {}

        /**
         * Adds a relay: {@code https://host:port/} or an RFC 9298 URI template. Called more than once, it builds a
         * chain: each relay is reached through the one added before it.
         */
        public Builder relay(String url) {
            relays.add(RelayEndpoint.parse(url));
            return this;
        }

        /** Trust only the CA certificates in this PEM file (default: the system's roots). */
        public Builder trustCaFile(Path caPem) {
            this.trustManager = TrustMaterial.fromCaFile(caPem);
            return this;
        }

        /** Trust what this trust manager trusts for the relays (null: the system's roots); host names are still checked. */
        public Builder trustManager(X509TrustManager trustManager) {
            this.trustManager = trustManager;
            return this;
        }

        /** Skip verification of the relay's certificate. For tests only: anyone can then pose as the relay. */
        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /** A client certificate for mutual TLS (one private key entry), e.g. from {@link TrustMaterial#pkcs12}. */
        public Builder clientIdentity(KeyStore identity, char[] password) {
            this.clientIdentity = identity;
            this.clientIdentityPassword = password;
            return this;
        }

        /** A request header added to every CONNECT (Apple's additionalHTTPHeaderFields), e.g. Authorization. */
        public Builder header(String name, String value) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith(":") || lower.equals("connection") || lower.equals("host")) {
                throw new IllegalArgumentException("header '" + name + "' cannot be set: the client writes it");
            }
            headers.add(new HttpFields.Field(lower, value));
            return this;
        }

        /** Bound on the QUIC + TLS handshake with each relay. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How long to wait for the relay's answer to a tunnel request. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How long a relay connection may stay silent before QUIC closes it (the next tunnel then reconnects). */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Which hosts {@link #connectTcp}/{@link #connectUdp} send through the relay (default: all of them). */
        public Builder routePolicy(RoutePolicy policy) {
            this.routePolicy = Objects.requireNonNull(policy);
            return this;
        }

        /** How connect-udp payloads travel by default (default {@link UdpMode#AUTO}). */
        public Builder udpMode(UdpMode mode) {
            this.udpMode = Objects.requireNonNull(mode);
            return this;
        }

        /** The QUIC/HTTP-3 stack, from {@link ClientEngines} (default: {@link ClientEngines#auto()}). */
        public Builder engine(ClientEngine engine) {
            this.engine = Objects.requireNonNull(engine);
            return this;
        }

        /**
         * How to reach the (first) relay: HTTP/3 (the default), HTTP/2 or HTTP/1.1 over TLS on TCP, or auto (HTTP/3
         * with HTTP/2 after a {@value RelayTransport#HEAD_START_MILLIS} ms head start, as Apple's client does). The
         * TCP transports use the relay URL's host and port, as Apple's {@code HTTP2RelayURL} usually does.
         */
        public Builder transport(RelayTransport transport) {
            this.transport = Objects.requireNonNull(transport);
            return this;
        }

        /** Write TLS secrets here (SSLKEYLOGFILE format) to decrypt captures (QUIC engines only). */
        public Builder keyLogFile(Path file) {
            this.keyLogFile = file;
            return this;
        }

        /** @throws IllegalStateException when no relay was given; IllegalArgumentException for a chain the engine cannot carry */
        public RelayClient build() {
            if (relays.isEmpty()) {
                throw new IllegalStateException("no relay configured: call relay(\"https://host:port/\")");
            }
            return new RelayClient(this);
        }
    }
}
