package org.masquerelay.server;

import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.server.config.QuicEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * A dev relay in a process of its own, for {@link DescriptorExhaustionTest}: started under a low open-file limit, which
 * a test cannot set on its own JVM. Arguments: engine, state folder, max-tunnels (0 = derived). Prints
 * {@code port N} once listening and runs until its standard input ends.
 */
final class LowDescriptorRelay {
    private LowDescriptorRelay() {}

    public static void main(String[] args) throws IOException {
        QuicEngine engine = QuicEngine.parse("engine", args[0]);
        DevMode.Dev dev = DevMode.prepare(Path.of(args[1]), List.of(new InetSocketAddress("127.0.0.1", 0)));
        int maxTunnels = Integer.parseInt(args[2]);
        RelaySettings settings = dev.settings().newBuilder().engine(engine)
                .clientLimits(ClientLimits.defaults().withMaxTunnels(maxTunnels)).build();
        try (RelayServer relay = RelayServer.start(settings)) {
            System.out.println("port " + relay.addresses().get(0).getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our input
            }
        }
    }
}
