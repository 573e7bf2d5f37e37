package org.masquerelay.interop.matrix;

import org.masquerelay.server.RelayServer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Our relay-server as dev mode runs it (loopback-only policy, dev CA), with a required credential, and its TCP listener
 * (HTTP/2, HTTP/1.1) on the HTTP/3 port number as Apple's {@code HTTP2RelayURL} expects. Every client runs every
 * case against it: what a client cannot do is that client's to say.
 */
public final class OurRelayPeer implements ServerPeer {
    @Override
    public String name() {
        return "relay-server";
    }

    @Override
    public Running start(InteropEnv env) throws Exception {
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
