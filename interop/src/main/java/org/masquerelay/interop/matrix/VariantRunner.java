package org.masquerelay.interop.matrix;

import org.masquerelay.interop.variants.FaultyRelay;
import org.masquerelay.tools.apple.AppleProbe;
import org.masquerelay.tools.apple.AppleProfileClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Starts each faulty relay and runs the Apple probe (TCP flow with optimistic data, then a UDP flow) against it;
 * the same probe runs against our relay, which must commit none of the mistakes.
 */
public final class VariantRunner {

    /** One row of the variant table. */
    public record VariantResult(FaultyRelay variant, AppleProbe.Result probe, long millis) {
        public boolean matches() {
            return probe.reported().kind() == variant.expected;
        }
    }

    private VariantRunner() {
    }

    public static AppleProfileClient.Config probeConfig(ServerUnderTest server) {
        return AppleProfileClient.Config.of(server.host(), server.port(), server.root())
                .withExtraHeaders(server.credentials()).withTimeout(Duration.ofSeconds(5));
    }

    /** The probe against one server (our relay, for the "commits none of them" column). */
    public static AppleProbe.Result probe(ServerUnderTest server, InteropEnv env) {
        return AppleProbe.run(probeConfig(server), env.tcpEcho.authority(), "127.0.0.1", env.udpEcho.port());
    }

    public static List<VariantResult> run(InteropEnv env, List<FaultyRelay> variants, Path logDir, Consumer<VariantResult> progress) throws IOException {
        List<VariantResult> results = new ArrayList<>();
        for (FaultyRelay v : variants) {
            long t0 = System.nanoTime();
            AppleProbe.Result probe;
            try (FaultyRelay.AutoCloseableServer server = v.start(env.pki)) {
                ServerUnderTest target = new ServerUnderTest(v.id, server.address(), env.root(), env.caPem, java.util.Map.of());
                probe = probe(target, env);
            }
            VariantResult r = new VariantResult(v, probe, (System.nanoTime() - t0) / 1_000_000);
            if (logDir != null) {
                Files.createDirectories(logDir);
                List<String> lines = new ArrayList<>();
                lines.add("variant " + v.id + ": " + v.mistake);
                lines.add("expected: " + v.expected.label());
                lines.addAll(probe.log());
                lines.add("reported: " + probe.reported() + " at step " + probe.failedStep());
                Files.write(logDir.resolve("variant__" + v.id + ".log"), lines);
            }
            results.add(r);
            progress.accept(r);
        }
        return results;
    }
}
