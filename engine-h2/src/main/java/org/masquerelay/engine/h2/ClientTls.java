package org.masquerelay.engine.h2;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.masquerelay.engine.ClientEngineSettings;

import javax.net.ssl.KeyManagerFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * A client's TLS towards a relay's TCP listener: the settings' trust manager (which checks the relay's name itself),
 * the client certificate for mutual TLS, ALPN {@code h2} and {@code http/1.1} or {@code http/1.1} alone. The JDK's
 * TLS, as on the listener: no native library on this path. (TLS secrets are not logged: the JDK cannot.)
 */
final class ClientTls {
    private ClientTls() {}

    static SslContext context(ClientEngineSettings settings, boolean offerH2) throws IOException {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            offerH2 ? new String[] {ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1}
                                    : new String[] {ApplicationProtocolNames.HTTP_1_1}));
            if (settings.insecure()) {
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (settings.trustManager() != null) {
                builder.trustManager(settings.trustManager());
            }
            if (settings.clientIdentity() != null) {
                KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(settings.clientIdentity(), settings.clientIdentityPassword());
                builder.keyManager(keys);
            }
            return builder.build();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS towards the relay: " + e.getMessage(), e);
        }
    }
}
