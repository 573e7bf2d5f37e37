package org.masquerelay.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet lab, {@code deploy/lab/fleet/run}, as CI runs it (as root; it skips itself without root, ip or nft, and so
 * does this test): three relays behind the nftables balancer, a relay killed -9, another drained (SIGTERM, GOAWAY) and
 * two clients rebound (a new source port, between two of their transfers).
 * About a minute on a loaded 2-core machine.
 */
class FleetLabTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern SUMMARY = Pattern.compile(
            "fleet: (\\d+) tunnels, (\\d+) ok, (\\d+) failed over, (\\d+) cut by the kill, [0-9.]+ [MG]B, 0 B lost,"
                    + " drain [0-9.]+ s");

    @Test
    void noByteLostOnTheSurvivorsAndRebindingClientsKeepTheirRelay(@TempDir Path dir) throws Exception {
        assumeTrue(root(), "fleet lab skipped: it needs root (network namespaces, nftables)");
        Path out = dir.resolve("lab.out");
        Process lab = new ProcessBuilder(REPO.resolve("deploy/lab/fleet/run").toString()).directory(REPO.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean ended = lab.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            lab.destroy(); // the lab's trap kills its processes and deletes its namespaces
            lab.waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(ended, "the lab did not end within 5 minutes:\n" + output);
        assumeFalse(output.startsWith("fleet lab: skipped"), output.strip());
        assertEquals(0, lab.exitValue(), output);
        List<String> lines = output.strip().lines().toList();
        Matcher m = SUMMARY.matcher(lines.getLast());
        assertTrue(m.matches(), "the summary line:\n" + output);
        assertTrue(Long.parseLong(m.group(2)) > 100, "tunnels completed:\n" + output);
        assertTrue(Long.parseLong(m.group(3)) > 0, "tunnels of the killed and drained relays' clients completed on"
                + " another relay:\n" + output);
        assertTrue(output.contains("(drained relay") && !output.contains("did NOT move"), "the drained relay's"
                + " clients moved to another relay:\n" + output);
        assertTrue(Pattern.compile("rebinding: ([12]) of \\1 clients kept their relay").matcher(output).find(), output);
    }

    private static boolean root() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        return id.waitFor() == 0 && uid.equals("0");
    }
}
