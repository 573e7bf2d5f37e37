package org.masquerelay.interop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.interop.cli.RunCommand;
import org.masquerelay.interop.matrix.CaseResult;
import org.masquerelay.interop.report.RunReport;
import org.masquerelay.interop.variants.FaultyRelay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole matrix and every faulty relay, bounded: fails on any ✕ against our relay-server, on any faulty relay
 * whose Apple outcome differs from the expected one, and if our relay fails the same probe.
 */
class InteropMatrixTest {

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void matrixAndVariants(@TempDir Path out) throws Exception {
        RunReport report = RunCommand.execute(null, null, null, null, out, true);

        report.cells().stream().filter(c -> c.status() == CaseResult.Status.FAIL).forEach(c ->
                System.out.println("FAILED " + c.client() + " → " + c.server() + " " + c.testCase() + ": " + c.cause()));
        assertEquals(0, report.count(CaseResult.Status.FAIL), "✕ cells against our relay (see report above)");
        assertTrue(report.count(CaseResult.Status.PASS) >= 20, "most cells ran");

        assertEquals(FaultyRelay.values().length, report.variants().size());
        report.variants().forEach(v -> assertEquals(v.variant().expected, v.probe().reported().kind(),
                v.variant().id + ": " + v.probe().reported() + "\n" + String.join("\n", v.probe().log())));
        assertTrue(report.ourRelayProbe().reported().isSuccess(), "our relay fails the Apple probe: " + report.ourRelayProbe().log());

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<table") && html.contains("stock-flupke") && html.contains("apple-profile"));
        assertTrue(Files.readString(out.resolve("report.json")).contains("\"variants\""));
        assertTrue(Files.exists(out.resolve("logs").resolve("apple-profile__relay-server__T.log")));
        for (String client : new String[] {"apple-profile", "netty-quiche", "relay-client", "jetty-http3"}) {
            assertTrue(Files.exists(out.resolve("logs").resolve(client + "__relay-server__K.log")), client + " ran K");
        }
    }
}
