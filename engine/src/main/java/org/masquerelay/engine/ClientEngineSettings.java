package org.masquerelay.engine;

import javax.net.ssl.X509TrustManager;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a client engine needs to reach a relay, independent of the QUIC stack.
 *
 * @param host              relay host name or IP literal (also the TLS server name)
 * @param port              relay UDP port
 * @param trustManager      verifies the relay's certificate; null = the JDK's default trust (system roots)
 * @param insecure          skip certificate verification entirely (tests, --proxy-insecure)
 * @param clientIdentity    a key store with one private key entry for mutual TLS, or null
 * @param clientIdentityPassword its password
 * @param connectTimeout    bound on the QUIC + TLS handshake
 * @param idleTimeout       QUIC idle timeout
 * @param socketSupplier    the UDP socket to use (e.g. one carried through another relay's connect-udp tunnel for
 *                          chaining); null = a plain socket
 * @param keyLogFile        where to write TLS secrets (SSLKEYLOGFILE format) for debugging, or null
 */
public record ClientEngineSettings(String host, int port, X509TrustManager trustManager, boolean insecure,
                                   KeyStore clientIdentity, char[] clientIdentityPassword,
                                   Duration connectTimeout, Duration idleTimeout,
                                   Supplier<DatagramSocket> socketSupplier, Path keyLogFile) {

    public static ClientEngineSettings of(String host, int port) {
        return new ClientEngineSettings(host, port, null, false, null, null, Duration.ofSeconds(10), Duration.ofSeconds(30), null, null);
    }

    public ClientEngineSettings withInsecure(boolean value) {
        return new ClientEngineSettings(host, port, trustManager, value, clientIdentity, clientIdentityPassword, connectTimeout, idleTimeout, socketSupplier, keyLogFile);
    }

    public ClientEngineSettings withTrustManager(X509TrustManager value) {
        return new ClientEngineSettings(host, port, value, insecure, clientIdentity, clientIdentityPassword, connectTimeout, idleTimeout, socketSupplier, keyLogFile);
    }

    public ClientEngineSettings withClientIdentity(KeyStore identity, char[] password) {
        return new ClientEngineSettings(host, port, trustManager, insecure, identity, password, connectTimeout, idleTimeout, socketSupplier, keyLogFile);
    }

    public ClientEngineSettings withConnectTimeout(Duration value) {
        return new ClientEngineSettings(host, port, trustManager, insecure, clientIdentity, clientIdentityPassword, value, idleTimeout, socketSupplier, keyLogFile);
    }

    public ClientEngineSettings withIdleTimeout(Duration value) {
        return new ClientEngineSettings(host, port, trustManager, insecure, clientIdentity, clientIdentityPassword, connectTimeout, value, socketSupplier, keyLogFile);
    }

    public ClientEngineSettings withSocketSupplier(Supplier<DatagramSocket> value) {
        return new ClientEngineSettings(host, port, trustManager, insecure, clientIdentity, clientIdentityPassword, connectTimeout, idleTimeout, value, keyLogFile);
    }

    public ClientEngineSettings withKeyLogFile(Path value) {
        return new ClientEngineSettings(host, port, trustManager, insecure, clientIdentity, clientIdentityPassword, connectTimeout, idleTimeout, socketSupplier, value);
    }
}
