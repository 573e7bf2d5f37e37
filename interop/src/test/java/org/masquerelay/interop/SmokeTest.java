package org.masquerelay.interop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.interop.apple.AppleProbe;
import org.masquerelay.interop.apple.AppleProfileClient;
import org.masquerelay.interop.matrix.InteropEnv;
import org.masquerelay.interop.variants.FaultyRelay;
import org.masquerelay.server.RelayServer;

import java.nio.file.Path;

class SmokeTest {
    @Test
    void probes(@TempDir Path dir) throws Exception {
        try (InteropEnv env = new InteropEnv(dir); RelayServer relay = env.startOurRelay()) {
            var cfg = AppleProfileClient.Config.of("127.0.0.1", relay.addresses().get(0).getPort(), env.root())
                    .withExtraHeaders(InteropEnv.AUTH_HEADER);
            long t0 = System.nanoTime();
            AppleProbe.Result r = AppleProbe.run(cfg, env.tcpEcho.authority(), "127.0.0.1", env.udpEcho.port());
            System.out.println("OURS " + r.reported() + " " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            r.log().forEach(l -> System.out.println("  " + l));
            for (FaultyRelay v : FaultyRelay.values()) {
                t0 = System.nanoTime();
                try (var s = v.start(env.pki)) {
                    var c = AppleProfileClient.Config.of("127.0.0.1", s.address().getPort(), env.root())
                            .withExtraHeaders(InteropEnv.AUTH_HEADER);
                    AppleProbe.Result vr = AppleProbe.run(c, env.tcpEcho.authority(), "127.0.0.1", env.udpEcho.port());
                    System.out.println(v.id + " → " + vr.failedStep() + " " + vr.reported() + " expected " + v.expected
                            + " " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                }
            }
        }
    }
}
