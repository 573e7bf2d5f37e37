package org.masquerelay.interop.matrix;

import org.masquerelay.interop.variants.FaultyRelay;
import org.masquerelay.tools.apple.AppleProbe;
import org.masquerelay.tools.apple.AppleProfileClient;
import org.masquerelay.tools.apple.RelayPath;

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

    /** The probe against one server over HTTP/3 (our relay, for the "commits none of them" row). */
    public static AppleProbe.Result probe(ServerUnderTest server, InteropEnv env) {
        return probe(server, env, RelayPath.H3);
    }

    /** The same over {@code transport}; over HTTP/2 to the server's TCP listener (its UDP port number otherwise). */
    public static AppleProbe.Result probe(ServerUnderTest server, InteropEnv env, RelayPath transport) {
        AppleProfileClient.Config config = probeConfig(server).withTransport(transport);
        if (transport == RelayPath.H2 && server.tcpAddress() != null) {
            config = AppleProfileClient.Config.of(server.host(), server.tcpAddress().getPort(), server.root())
                    .withExtraHeaders(server.credentials()).withTimeout(Duration.ofSeconds(5)).withTransport(transport);
        }
        return AppleProbe.run(config, env.tcpEcho.authority(), "127.0.0.1", env.udpEcho.port());
    }

    public static List<VariantResult> run(InteropEnv env, List<FaultyRelay> variants, Path logDir, Consumer<VariantResult> progress) throws IOException {
        List<VariantResult> results = new ArrayList<>();
        for (FaultyRelay v : variants) {
            long t0 = System.nanoTime();
            AppleProbe.Result probe;
            try (FaultyRelay.AutoCloseableServer server = v.start(env)) {
                ServerUnderTest target = new ServerUnderTest(v.id, server.address(), env.root(), env.caPem, server.credentials());
                probe = probe(target, env, v.transport);
            }
            VariantResult r = new VariantResult(v, probe, (System.nanoTime() - t0) / 1_000_000);
            if (logDir != null) {
                Files.createDirectories(logDir);
                List<String> lines = new ArrayList<>();
                lines.add("variant " + v.id + " (" + v.transport.label + "): " + v.mistake);
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
