package org.masquerelay.engine;

import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.masquerelay.wire.QuicLbConnectionId;

/**
 * What a server engine needs, independent of the QUIC stack; immutable. Made with {@link #builder()} (only the TLS
 * identity has no default) and changed with {@link #newBuilder()}.
 *
 * <p>A new setting is one field here, one in {@link Builder} with its default and setter, and one line in each of
 * the two copying constructors.
 */
public final class EngineSettings {
    private final KeyStore keyStore;
    private final String keyAlias;
    private final char[] keyPassword;
    private final int maxFieldSectionSize;
    private final long maxDataFrameSize;
    private final int maxStreamsPerConnection;
    private final Duration idleTimeout;
    private final long streamWindow;
    private final int maxConnections;
    private final List<X509Certificate> clientCaCertificates;
    private final int eventLoops;
    private final UnfinishedRequests unfinishedRequests;
    private final ClientAdmission clientAdmission;
    private final int sessionTickets;
    private final int retryAboveHandshakes;
    private final int pendingDatagrams;
    private final QuicLbConnectionId routableIds;

    private EngineSettings(Builder b) {
        this.keyStore = Objects.requireNonNull(b.keyStore, "the TLS identity (Builder.identity) is not set");
        this.keyAlias = b.keyAlias;
        this.keyPassword = b.keyPassword;
        this.maxFieldSectionSize = b.maxFieldSectionSize;
        this.maxDataFrameSize = b.maxDataFrameSize;
        this.maxStreamsPerConnection = b.maxStreamsPerConnection;
        this.idleTimeout = Objects.requireNonNull(b.idleTimeout, "idleTimeout");
        this.streamWindow = b.streamWindow;
        this.maxConnections = b.maxConnections;
        this.clientCaCertificates = List.copyOf(b.clientCaCertificates);
        this.eventLoops = b.eventLoops;
        this.unfinishedRequests = b.unfinishedRequests;
        this.clientAdmission = b.clientAdmission;
        this.sessionTickets = b.sessionTickets;
        this.retryAboveHandshakes = b.retryAboveHandshakes;
        this.pendingDatagrams = b.pendingDatagrams;
        this.routableIds = b.routableIds;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder newBuilder() {
        return new Builder(this);
    }

    /** The TLS identity: a key store with one private key entry and its chain. */
    public KeyStore keyStore() {
        return keyStore;
    }

    /** The alias of the {@link #keyStore()} entry. */
    public String keyAlias() {
        return keyAlias;
    }

    /** The password of the {@link #keyStore()} entry. */
    public char[] keyPassword() {
        return keyPassword;
    }

    /** Largest request HEADERS frame accepted (bytes); larger gets 431. */
    public int maxFieldSectionSize() {
        return maxFieldSectionSize;
    }

    /** Largest DATA frame accepted on a request stream; larger resets the stream. */
    public long maxDataFrameSize() {
        return maxDataFrameSize;
    }

    /** Concurrent request streams a client may open. */
    public int maxStreamsPerConnection() {
        return maxStreamsPerConnection;
    }

    /** QUIC idle timeout. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** QUIC receive window of each request stream (bytes a client may send ahead of our reads). */
    public long streamWindow() {
        return streamWindow;
    }

    /** Concurrent connections; more are closed at once with H3_EXCESSIVE_LOAD. */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Mutual TLS: when not empty, every client must present a certificate issued by one of these CAs, or the
     * handshake fails with a TLS alert; the verified certificate is then {@link HttpConnection#peerCertificate()}.
     * Empty: no client certificates asked for.
     */
    public List<X509Certificate> clientCaCertificates() {
        return clientCaCertificates;
    }

    /**
     * Event-loop threads of an engine that has them (quiche), each with its own SO_REUSEPORT socket on the same
     * address; 0 = one per core.
     */
    public int eventLoops() {
        return eventLoops;
    }

    /**
     * HTTP Datagrams held per connection for request streams that do not take them yet: a client may send them
     * right behind its request, before the tunnel's target is connected (RFC 9297 §2.1: "for a short time").
     */
    public int pendingDatagrams() {
        return pendingDatagrams;
    }

    /**
     * QUIC-LB: when present, every connection ID the server issues carries this server ID (config {@code
     * fleet.server-id}), so a connection-ID-aware load balancer routes a connection's packets to this relay. Only
     * engines that choose their connection IDs support it (quiche); empty = random IDs.
     */
    public Optional<QuicLbConnectionId> routableIds() {
        return Optional.ofNullable(routableIds);
    }

    /** The event-loop threads to run: {@link #eventLoops()}, or one per core when that is 0. */
    public int eventLoopThreads() {
        return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    }

    /** Whether clients must present a certificate from one of {@link #clientCaCertificates()}. */
    public boolean requiresClientCertificates() {
        return !clientCaCertificates.isEmpty();
    }

    /**
     * Request streams whose header section has not arrived: timeout and limits, one instance shared by every
     * listener of the relay (its counts are relay-wide).
     */
    public UnfinishedRequests unfinishedRequests() {
        return unfinishedRequests;
    }

    /**
     * Session tickets an engine that stores them (Kwik) holds at most: each costs ~1.8 KB of heap for the ticket's
     * lifetime; past the bound clients get no ticket and make full handshakes.
     */
    public int sessionTickets() {
        return sessionTickets;
    }

    /**
     * Handshakes in flight (per listener) from which new clients must first answer a QUIC Retry (address validation),
     * on an engine that can decide per client (quiche); 0 = never.
     */
    public int retryAboveHandshakes() {
        return retryAboveHandshakes;
    }

    /** Per-client connection limits, shared by every listener of the relay. */
    public ClientAdmission clientAdmission() {
        return clientAdmission;
    }

    /** Defaults: 16 KiB header sections, 16 MiB DATA frames, 100 streams, 30 s idle, 1 MiB windows, 10,000 connections, 64 pending datagrams. */
    public static final class Builder {
        private KeyStore keyStore;
        private String keyAlias;
        private char[] keyPassword;
        private int maxFieldSectionSize = 16 * 1024;
        private long maxDataFrameSize = 16L * 1024 * 1024;
        private int maxStreamsPerConnection = 100;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private long streamWindow = 1024 * 1024;
        private int maxConnections = 10_000;
        private List<X509Certificate> clientCaCertificates = List.of();
        private int eventLoops;
        private UnfinishedRequests unfinishedRequests = UnfinishedRequests.defaults();
        private ClientAdmission clientAdmission = ClientAdmission.unlimited();
        private int sessionTickets = 10_000;
        private int retryAboveHandshakes;
        private int pendingDatagrams = 64;
        private QuicLbConnectionId routableIds;

        private Builder() {}

        private Builder(EngineSettings s) {
            this.keyStore = s.keyStore;
            this.keyAlias = s.keyAlias;
            this.keyPassword = s.keyPassword;
            this.maxFieldSectionSize = s.maxFieldSectionSize;
            this.maxDataFrameSize = s.maxDataFrameSize;
            this.maxStreamsPerConnection = s.maxStreamsPerConnection;
            this.idleTimeout = s.idleTimeout;
            this.streamWindow = s.streamWindow;
            this.maxConnections = s.maxConnections;
            this.clientCaCertificates = s.clientCaCertificates;
            this.eventLoops = s.eventLoops;
            this.unfinishedRequests = s.unfinishedRequests;
            this.clientAdmission = s.clientAdmission;
            this.sessionTickets = s.sessionTickets;
            this.retryAboveHandshakes = s.retryAboveHandshakes;
            this.pendingDatagrams = s.pendingDatagrams;
            this.routableIds = s.routableIds;
        }

        /** The TLS identity: a key store with one private key entry (its alias and password). */
        public Builder identity(KeyStore keyStore, String alias, char[] password) {
            this.keyStore = keyStore;
            this.keyAlias = alias;
            this.keyPassword = password;
            return this;
        }

        public Builder maxFieldSectionSize(int value) {
            this.maxFieldSectionSize = value;
            return this;
        }

        public Builder maxDataFrameSize(long value) {
            this.maxDataFrameSize = value;
            return this;
        }

        public Builder maxStreamsPerConnection(int value) {
            this.maxStreamsPerConnection = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        public Builder streamWindow(long value) {
            this.streamWindow = value;
            return this;
        }

        public Builder maxConnections(int value) {
            this.maxConnections = value;
            return this;
        }

        /** Mutual TLS; null or empty = no client certificates asked for. */
        public Builder clientCaCertificates(List<X509Certificate> value) {
            this.clientCaCertificates = value == null ? List.of() : value;
            return this;
        }

        public Builder eventLoops(int value) {
            this.eventLoops = value;
            return this;
        }

        /** Shared by every listener that should count together; default: {@link UnfinishedRequests#defaults()}. */
        public Builder unfinishedRequests(UnfinishedRequests value) {
            this.unfinishedRequests = Objects.requireNonNull(value, "unfinishedRequests");
            return this;
        }

        /** 0 (the default) = never. */
        public Builder retryAboveHandshakes(int value) {
            this.retryAboveHandshakes = value;
            return this;
        }

        /** Default 10,000 (about 18 MB on Kwik). */
        public Builder sessionTickets(int value) {
            this.sessionTickets = value;
            return this;
        }

        /** Shared by every listener that should count together; default: no per-client limits. */
        public Builder clientAdmission(ClientAdmission value) {
            this.clientAdmission = Objects.requireNonNull(value, "clientAdmission");
            return this;
        }

        public Builder pendingDatagrams(int value) {
            this.pendingDatagrams = value;
            return this;
        }

        /** QUIC-LB routable connection IDs; null = random IDs. */
        public Builder routableIds(QuicLbConnectionId value) {
            this.routableIds = value;
            return this;
        }

        public EngineSettings build() {
            return new EngineSettings(this);
        }
    }
}
