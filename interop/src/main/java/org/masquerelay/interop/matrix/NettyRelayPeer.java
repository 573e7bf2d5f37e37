package org.masquerelay.interop.matrix;

import org.masquerelay.interop.variants.TestPki;
import org.masquerelay.testpeers.NettyRelay;

import java.net.InetAddress;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * test-peers' {@link NettyRelay} (Netty 4.2 / quiche, no code of ours) as an independent server peer, with a
 * certificate from the installed dev root. It has no authentication, so it asks for no credentials.
 */
public final class NettyRelayPeer implements ServerPeer {
    /** Its default bound on connecting to a TCP target. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "netty-relay";
    }

    @Override
    public String unsupported(Case c, String client) {
        if (c == Case.A) {
            return "netty-relay has no authentication: nothing to refuse";
        }
        return null;
    }

    @Override
    public Running start(InteropEnv env) throws Exception {
        return running(env, CONNECT_TIMEOUT, true);
    }

    private Running running(InteropEnv env, Duration connectTimeout, boolean shared) throws Exception {
        KeyStore identity = env.pki.identity(TestPki.Flaw.NONE);
        X509Certificate[] chain = Arrays.stream(identity.getCertificateChain(TestPki.ALIAS))
                .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        NettyRelay relay = NettyRelay.start(InetAddress.getLoopbackAddress(),
                (PrivateKey) identity.getKey(TestPki.ALIAS, TestPki.PASSWORD), connectTimeout, chain);
        ServerUnderTest.Spawner spawner = shared
                ? timeout -> running(env, timeout == null ? CONNECT_TIMEOUT : timeout, false) : null;
        ServerUnderTest target = new ServerUnderTest(name(), relay.address(), env.root(), env.caPem, Map.of(), spawner);
        AtomicBoolean closed = new AtomicBoolean();
        return new Running() {
            @Override
            public ServerUnderTest target() {
                return target;
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    relay.close();
                }
            }
        };
    }
}
