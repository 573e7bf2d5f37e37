package org.masquerelay.interop.matrix;

import org.masquerelay.server.RelayServer;

/** Our relay-server as dev mode runs it (loopback-only policy, dev CA), with a required credential. */
public final class OurRelayPeer implements ServerPeer {
    @Override
    public String name() {
        return "relay-server";
    }

    @Override
    public Running start(InteropEnv env) throws Exception {
        RelayServer relay = env.startOurRelay();
        ServerUnderTest target = new ServerUnderTest(name(), relay.addresses().get(0), env.root(), env.caPem,
                InteropEnv.AUTH_HEADER);
        return new Running() {
            @Override
            public ServerUnderTest target() {
                return target;
            }

            @Override
            public void close() {
                relay.close();
            }
        };
    }
}
