package org.masquerelay.engine;

import javax.net.ssl.X509TrustManager;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a client engine needs to reach a relay, independent of the QUIC stack; immutable. Made with
 * {@link #builder()} (only the relay's address has no default) and changed with {@link #newBuilder()}.
 */
public final class ClientEngineSettings {
    private final String host;
    private final int port;
    private final X509TrustManager trustManager;
    private final boolean insecure;
    private final KeyStore clientIdentity;
    private final char[] clientIdentityPassword;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Supplier<DatagramSocket> socketSupplier;
    private final boolean freshSocketEachCall;
    private final Path keyLogFile;

    private ClientEngineSettings(Builder b) {
        this.host = Objects.requireNonNull(b.host, "the relay (Builder.relay) is not set");
        this.port = b.port;
        this.trustManager = b.trustManager;
        this.insecure = b.insecure;
        this.clientIdentity = b.clientIdentity;
        this.clientIdentityPassword = b.clientIdentityPassword;
        this.connectTimeout = Objects.requireNonNull(b.connectTimeout, "connectTimeout");
        this.idleTimeout = Objects.requireNonNull(b.idleTimeout, "idleTimeout");
        this.socketSupplier = b.socketSupplier;
        this.freshSocketEachCall = b.freshSocketEachCall;
        this.keyLogFile = b.keyLogFile;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder newBuilder() {
        return new Builder(this);
    }

    /** Relay host name or IP literal (also the TLS server name). */
    public String host() {
        return host;
    }

    /** Relay UDP port. */
    public int port() {
        return port;
    }

    /** Verifies the relay's certificate; null = the JDK's default trust (system roots). */
    public X509TrustManager trustManager() {
        return trustManager;
    }

    /** Skip certificate verification entirely (tests, --proxy-insecure). */
    public boolean insecure() {
        return insecure;
    }

    /** A key store with one private key entry for mutual TLS, or null. */
    public KeyStore clientIdentity() {
        return clientIdentity;
    }

    /** The password of {@link #clientIdentity()}. */
    public char[] clientIdentityPassword() {
        return clientIdentityPassword;
    }

    /** Bound on the QUIC + TLS handshake. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** QUIC idle timeout. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * The UDP socket to use (e.g. one carried through another relay's connect-udp tunnel for chaining); null = a
     * plain socket.
     */
    public Supplier<DatagramSocket> socketSupplier() {
        return socketSupplier;
    }

    /**
     * Whether {@link #socketSupplier()} gives a new socket on each call (a first hop's own, probed socket), so that an
     * engine may try a stalled handshake again on a new one; a socket through a tunnel serves one connection only.
     */
    public boolean freshSocketEachCall() {
        return freshSocketEachCall;
    }

    /** Where to write TLS secrets (SSLKEYLOGFILE format) for debugging, or null. */
    public Path keyLogFile() {
        return keyLogFile;
    }

    /** Defaults: the system's trust, no client certificate, 10 s to connect, 30 s idle, a plain socket. */
    public static final class Builder {
        private String host;
        private int port;
        private X509TrustManager trustManager;
        private boolean insecure;
        private KeyStore clientIdentity;
        private char[] clientIdentityPassword;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Supplier<DatagramSocket> socketSupplier;
        private boolean freshSocketEachCall;
        private Path keyLogFile;

        private Builder() {}

        private Builder(ClientEngineSettings s) {
            this.host = s.host;
            this.port = s.port;
            this.trustManager = s.trustManager;
            this.insecure = s.insecure;
            this.clientIdentity = s.clientIdentity;
            this.clientIdentityPassword = s.clientIdentityPassword;
            this.connectTimeout = s.connectTimeout;
            this.idleTimeout = s.idleTimeout;
            this.socketSupplier = s.socketSupplier;
            this.freshSocketEachCall = s.freshSocketEachCall;
            this.keyLogFile = s.keyLogFile;
        }

        /** The relay's host name or IP literal and UDP port. */
        public Builder relay(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        public Builder trustManager(X509TrustManager value) {
            this.trustManager = value;
            return this;
        }

        public Builder insecure(boolean value) {
            this.insecure = value;
            return this;
        }

        /** Mutual TLS: a key store with one private key entry, and its password; null = no client certificate. */
        public Builder clientIdentity(KeyStore identity, char[] password) {
            this.clientIdentity = identity;
            this.clientIdentityPassword = password;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        public Builder socketSupplier(Supplier<DatagramSocket> value) {
            this.socketSupplier = value;
            return this;
        }

        /** See {@link ClientEngineSettings#freshSocketEachCall()}. */
        public Builder freshSocketEachCall(boolean value) {
            this.freshSocketEachCall = value;
            return this;
        }

        public Builder keyLogFile(Path value) {
            this.keyLogFile = value;
            return this;
        }

        public ClientEngineSettings build() {
            return new ClientEngineSettings(this);
        }
    }
}
