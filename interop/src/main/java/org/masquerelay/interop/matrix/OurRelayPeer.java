package org.masquerelay.interop.matrix;

import org.masquerelay.server.RelayServer;
import org.masquerelay.server.config.QuicEngine;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Our relay-server as dev mode runs it (loopback-only policy, dev CA), with a required credential, and its TCP listener
 * (HTTP/2, HTTP/1.1) on the HTTP/3 port number as Apple's {@code HTTP2RelayURL} expects.
 */
public final class OurRelayPeer implements ServerPeer {
    private volatile QuicEngine engine;

    @Override
    public String name() {
        return "relay-server";
    }

    /**
     * Jetty 12.1.5's case K on the quiche engine: the relay's shutdown resets every request stream (H3_REQUEST_CANCELLED)
     * and then closes the connection, which netty-quiche, relay-client and the Apple profile all report in the same run
     * within ~50 ms; Jetty's stream read reports neither, within 10 s, or reads the reset as a clean end of stream
     * (docs/upstream.md, "Jetty 12.1.5": its quiche binding turns a reset it has already consumed into EOF). The relay
     * is the same one the other clients pass against, so the cell says so rather than ✕; on Kwik, Jetty's K runs.
     */
    @Override
    public String unsupported(Case c, String client) {
        if (c == Case.K && "jetty-http3".equals(client) && engine != QuicEngine.KWIK) {
            return JettyClientPeer.MISSES_QUICHE_SHUTDOWN;
        }
        return null;
    }

    @Override
    public Running start(InteropEnv env) throws Exception {
        engine = env.engine();
        return running(env, env.startOurRelay(null), true);
    }

    private Running running(InteropEnv env, RelayServer relay, boolean shared) {
        ServerUnderTest.Spawner spawner = shared ? (Duration connectTimeout) -> running(env, env.startOurRelay(connectTimeout), false) : null;
        ServerUnderTest target = new ServerUnderTest(name(), relay.addresses().get(0), env.root(), env.caPem,
                InteropEnv.AUTH_HEADER, spawner, relay.tcpAddresses().isEmpty() ? null : relay.tcpAddresses().get(0));
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
