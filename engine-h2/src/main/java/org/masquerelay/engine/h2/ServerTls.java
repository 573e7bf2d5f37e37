package org.masquerelay.engine.h2;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.masquerelay.engine.EngineSettings;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * The listener's TLS: the relay's certificate from the same key store as its HTTP/3 listener, ALPN {@code h2} then
 * {@code http/1.1}, TLS 1.3 and 1.2 with HTTP/2's cipher suites (RFC 9113 §9.2.2), client certificates required when
 * the relay asks for them (mutual TLS). The JDK's TLS: no native library needed on this path.
 */
final class ServerTls {
    private ServerTls() {}

    static SslContext context(EngineSettings settings) throws IOException {
        try {
            PrivateKey key = (PrivateKey) settings.keyStore().getKey(settings.keyAlias(), settings.keyPassword());
            Certificate[] chain = settings.keyStore().getCertificateChain(settings.keyAlias());
            if (key == null || chain == null) {
                throw new IOException("the key store has no key entry '" + settings.keyAlias() + "'");
            }
            X509Certificate[] certificates = Arrays.stream(chain).map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
            SslContextBuilder builder = SslContextBuilder.forServer(key, certificates)
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
            if (settings.requiresClientCertificates()) {
                builder.trustManager(settings.clientCaCertificates().toArray(X509Certificate[]::new))
                        .clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (SSLException e) {
            throw new IOException("cannot set up TLS for the TCP listener: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the TLS identity: " + e.getMessage(), e);
        }
    }
}
