package org.masquerelay.interop.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.RelayClient;

class FaultLabTest {

    /**
     * The whole lab (about 40 s): loss of 1 % and 5 % of the relay's UDP packets, target reset, target blackhole,
     * relay killed. Needs root, ip and nft (CI runs as root and installs them); skipped with the reason otherwise.
     */
    @Test
    void everyTunnelEndsCleanlyUnderEveryFault(@TempDir Path dir) throws Exception {
        Optional<String> why = FaultLab.unavailable();
        assumeTrue(why.isEmpty(), () -> "fault lab skipped: " + why.orElse(""));
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        FaultLab.Result r = FaultLab.runIsolated(dir, "auto", new PrintStream(lines, true, StandardCharsets.UTF_8));
        String output = lines.toString(StandardCharsets.UTF_8);
        assertTrue(r.passed(), "defects: " + r.failures() + "\n" + output);
        assertEquals(7, r.scenarios(), output);
        assertTrue(r.complete() >= 24 && r.failedCleanly() >= 8, output);
        assertTrue(output.contains("5 % UDP loss (") && !output.contains("(0 packets dropped)"),
                "the loss rules dropped nothing:\n" + output);
    }

    /** The judge itself: a short clean end, a reset and a wrong byte are told apart (no namespace needed). */
    @Test
    void transfersTellTruncatedFailedAndCorruptApart(@TempDir Path dir) throws Exception {
        try (SourceServer source = new SourceServer(256 * 1024, 5, -1);
             SourceServer resetting = new SourceServer(1024 * 1024, 5, 128 * 1024);
             LabRelayProcess relay = LabRelayProcess.start(dir, "auto", Duration.ofSeconds(10), Duration.ofSeconds(5));
             RelayClient client = RelayClient.builder().relay(relay.url()).trustCaFile(relay.ca()).build()) {
            Duration deadline = Duration.ofSeconds(30);
            assertEquals(Outcome.Kind.COMPLETE, Transfers.tcpDownload(client, "whole", "127.0.0.1", source.port(),
                    256 * 1024, 5, deadline, v -> { }).kind());
            Outcome truncated = Transfers.tcpDownload(client, "short", "127.0.0.1", source.port(), 512 * 1024, 5,
                    deadline, v -> { });
            assertEquals(Outcome.Kind.TRUNCATED, truncated.kind());
            assertEquals(256 * 1024, truncated.verified());
            assertEquals(Outcome.Kind.CORRUPT, Transfers.tcpDownload(client, "wrong", "127.0.0.1", source.port(),
                    256 * 1024, 6, deadline, v -> { }).kind());
            Outcome reset = Transfers.tcpDownload(client, "reset", "127.0.0.1", resetting.port(), 1024 * 1024, 5,
                    deadline, v -> { });
            assertEquals(Outcome.Kind.FAILED, reset.kind(), reset.toString());
            assertTrue(reset.verified() <= 128 * 1024, reset.toString());
        }
    }
}
