package org.masquerelay.engine.quiche;

import io.netty.handler.codec.quic.BoringSSLKeylog;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.EngineSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;

/**
 * TLS contexts for quiche (BoringSSL). Netty's QUIC takes a private key and its chain rather than a KeyStore, so the
 * identity entry is taken out of the key store here (the key is handed over PKCS#8-encoded, which BoringSSL reads).
 */
final class Tls {
    static final String ALPN = "h3";

    private Tls() {}

    /** @param keys where the identity comes from in every handshake (see {@link RotatingKeyManager}) */
    static QuicSslContext server(EngineSettings settings, RotatingKeyManager keys) throws IOException {
        QuicSslContextBuilder builder = QuicSslContextBuilder.forServer(keys, null)
                .applicationProtocols(ALPN)
                // No 0-RTT: CONNECT is not replay-safe (RFC 9114 §10.9), and quiche would take early data unasked.
                .earlyData(false);
        if (settings.requiresClientCertificates()) {
            builder.clientAuth(ClientAuth.REQUIRE)
                    .trustManager(settings.clientCaCertificates().toArray(X509Certificate[]::new));
        }
        try {
            return builder.build();
        } catch (RuntimeException e) {
            throw new IOException("cannot set up TLS for the quiche engine: " + e.getMessage(), e);
        }
    }

    static QuicSslContext client(ClientEngineSettings settings) throws IOException {
        QuicSslContextBuilder builder = QuicSslContextBuilder.forClient().applicationProtocols(ALPN);
        if (settings.insecure()) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (settings.trustManager() != null) {
            builder.trustManager(settings.trustManager());
        }
        if (settings.clientIdentity() != null) {
            char[] password = settings.clientIdentityPassword() == null ? new char[0] : settings.clientIdentityPassword();
            Identity identity = identity(settings.clientIdentity(), null, password, "the client identity");
            builder.keyManager(identity.key(), null, identity.chain());
        }
        if (settings.keyLogFile() != null) {
            builder.keylog(new FileKeylog(settings.keyLogFile()));
        }
        try {
            return builder.build();
        } catch (RuntimeException e) {
            throw new IOException("cannot set up TLS for the quiche engine: " + e.getMessage(), e);
        }
    }

    record Identity(PrivateKey key, X509Certificate[] chain) {}

    /** The server's identity from its key store. */
    static Identity serverIdentity(KeyStore keyStore, String alias, char[] password) throws IOException {
        return identity(keyStore, alias, password, "the server key store");
    }

    /** The private key entry under {@code alias}, or the only/first one when alias is null. */
    static Identity identity(KeyStore keyStore, String alias, char[] password, String what) throws IOException {
        try {
            if (alias == null) {
                for (String candidate : Collections.list(keyStore.aliases())) {
                    if (keyStore.isKeyEntry(candidate)) {
                        alias = candidate;
                        break;
                    }
                }
                if (alias == null) {
                    throw new IOException(what + " has no private key entry");
                }
            }
            Key key = keyStore.getKey(alias, password);
            if (!(key instanceof PrivateKey privateKey)) {
                throw new IOException(what + " has no private key under alias '" + alias + "'");
            }
            Certificate[] chain = keyStore.getCertificateChain(alias);
            if (chain == null || chain.length == 0) {
                throw new IOException(what + " has no certificate chain under alias '" + alias + "'");
            }
            X509Certificate[] x509 = new X509Certificate[chain.length];
            for (int i = 0; i < chain.length; i++) {
                x509[i] = (X509Certificate) chain[i];
            }
            return new Identity(privateKey, x509);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** TLS secrets in SSLKEYLOGFILE format, appended to a file (for Wireshark/tshark). */
    private record FileKeylog(Path file) implements BoringSSLKeylog {
        @Override
        public void logKey(javax.net.ssl.SSLEngine engine, String line) {
            synchronized (FileKeylog.class) {
                try {
                    Files.writeString(file, line + "\n", StandardCharsets.US_ASCII,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    System.getLogger(Tls.class.getName()).log(System.Logger.Level.WARNING,
                            "cannot write TLS secrets to " + file + ": " + e);
                }
            }
        }
    }
}
