package org.masquerelay.interop.matrix;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.masquerelay.server.config.QuicEngine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Case K on each engine, whatever the interop matrix's default: a relay closed in the middle of a download must
 * tell its clients (a reset stream or CONNECTION_CLOSE within 10 s), not leave them to their idle timeout. On the
 * quiche engine it did not: quiche packs CONNECTION_CLOSE only into room left in the congestion window, which the
 * download had filled, and Netty frees the connection after that one attempt; Apple's profile and the Netty client
 * heard nothing in every run.
 */
class RelayShutdownTest {

    @ParameterizedTest
    @EnumSource(QuicEngine.class)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void clientsHearThatTheRelayClosedMidDownload(QuicEngine engine, @TempDir Path dir) throws Exception {
        try (InteropEnv env = new InteropEnv(Files.createDirectories(dir.resolve("env")), engine);
             ServerPeer.Running relay = new OurRelayPeer().start(env)) {
            for (ClientPeer client : List.of(new NettyClientPeer(), new AppleClientPeer(null))) {
                CaseResult r = MatrixRunner.runCell(client, relay.target(), Case.K, env);
                assertEquals(CaseResult.Status.PASS, r.status(),
                        client.name() + " on " + engine + ": " + r.cause() + "\n" + String.join("\n", r.log()));
            }
        }
    }
}
