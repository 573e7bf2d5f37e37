package org.masquerelay.interop.matrix;

import org.masquerelay.server.RelayServer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** Our relay-server as dev mode runs it (loopback-only policy, dev CA), with a required credential. */
public final class OurRelayPeer implements ServerPeer {
    @Override
    public String name() {
        return "relay-server";
    }

    @Override
    public Running start(InteropEnv env) throws Exception {
        return running(env, env.startOurRelay(), true);
    }

    private Running running(InteropEnv env, RelayServer relay, boolean shared) {
        ServerUnderTest.Spawner spawner = shared ? (Duration connectTimeout) -> running(env, env.startOurRelay(connectTimeout), false) : null;
        ServerUnderTest target = new ServerUnderTest(name(), relay.addresses().get(0), env.root(), env.caPem,
                InteropEnv.AUTH_HEADER, spawner);
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
