package org.masquerelay.acceptance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every command block of README.md, run as written with the bin/ launchers, in order, as a person following it
 * would: servers are left running (in the background here) and stopped at the end, each other command must exit as
 * the README says (0 unless a comment says "exit N") and print no stack trace, no JDK or SLF4J warning, and no path
 * that does not exist. What changes: a scratch folder instead of the clone and /etc/relay, free loopback ports
 * instead of 4433, 8000, 1080, 8080 and 9464, and the example configurations listening on loopback. A command the test does
 * not know how to run fails it: teach it below, rather than let the README drift.
 */
@Timeout(300)
class ReadmeTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static final List<String> NOISE = List.of("\tat ", "Exception in thread", "WARNING:", "SLF4J", "SECURITY WARNING");

    /** Commands not run: what runs this test, and what takes minutes and has a test of its own (its options are checked with --help). */
    private static final Map<String, String> NOT_RUN = Map.of(
            "bin/test", "runs this test",
            "bin/interop run", "the whole matrix takes minutes: InteropMatrixTest runs it",
            "bin/interop bench", "minutes of measurement: BenchSmokeTest runs bench --quick",
            "bin/fuzz", "minutes of fuzzing: the fuzz module replays the committed inputs",
            "bin/interop faults", "needs root and a minute: FaultLabTest runs it",
            "bin/interop soak", "minutes of load: SoakTest runs one minute");

    /** Commands shown but neither run nor --help-checked here, and why. */
    private static final Map<String, String> SHOWN_ONLY = Map.of(
            "sudo ", "installs a system service as root and needs systemd as PID 1: DistributionTest unpacks and runs"
                    + " the same archive, and checks the unit with systemd-analyze");

    /** Commands that serve until stopped, and the text that says they are ready. */
    private static final Map<String, String> SERVERS = new LinkedHashMap<>(Map.of(
            "bin/relay-server dev", "Stop with Ctrl-C.",
            "bin/relay-server run", "MASQUE relay running on",
            "python3 -m http.server", "Serving HTTP on",
            "bin/relay-client proxy", "listening on"));

    @TempDir
    Path scratch;
    /** Outside the scratch folder the commands run in: their output files are not theirs to see. */
    @TempDir
    Path logs;

    @Test
    void everyCommandBlockRunsAsWritten() throws Exception {
        List<ReadmeCommands.Command> commands = ReadmeCommands.parse(Files.readString(REPO.resolve("README.md")));
        assertTrue(commands.size() >= 10, "the README's command blocks: " + commands);
        Map<String, String> ports = Map.of("4433", freeUdp(), "8000", freeTcp(), "1080", freeTcp(), "8080", freeTcp(),
                "4433/run", freeUdp(), "9464", freeTcp());
        copyConfigs(ports.get("4433/run"), ports.get("9464"));
        List<ShellProcess> serving = new ArrayList<>();
        List<String> ran = new ArrayList<>();
        try {
            for (ReadmeCommands.Command c : commands) {
                String shown = SHOWN_ONLY.entrySet().stream().filter(e -> c.startsWith(e.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                if (shown != null) {
                    ran.add("(shown only: " + shown + ") " + c.text());
                    continue;
                }
                String skip = NOT_RUN.entrySet().stream().filter(e -> c.startsWith(e.getKey())).map(Map.Entry::getValue)
                        .findFirst().orElse(null);
                if (skip != null) {
                    if (!c.text().equals("bin/test")) {
                        checkOptions(c, ports);
                    }
                    ran.add("(not run: " + skip + ") " + c.text());
                    continue;
                }
                String command = adapt(c, ports);
                String ready = SERVERS.entrySet().stream().filter(e -> c.startsWith(e.getKey())).map(Map.Entry::getValue)
                        .findFirst().orElse(null);
                if (c.background() && ready == null) {
                    fail("README runs '" + c.text() + "' in the background: tell this test what it prints when ready");
                }
                ShellProcess p = ShellProcess.start(command, scratch, logs);
                if (ready != null) {
                    serving.add(p);
                    p.awaitOutput(ready, COMMAND_TIMEOUT);
                } else {
                    int exit = p.await(COMMAND_TIMEOUT);
                    assertEquals(c.expectedExit(), exit, "'" + c.text() + "' (section " + c.section() + ")\n" + p.output());
                    assertClean(c.text(), p);
                }
                ran.add(c.text());
            }
        } finally {
            for (int i = serving.size() - 1; i >= 0; i--) {
                serving.get(i).stop();
            }
        }
        for (ShellProcess p : serving) {
            assertClean(p.command, p);
        }
        ShellProcess relay = serving.stream().filter(p -> p.command.contains("relay-server run")).findFirst().orElseThrow();
        assertTrue(relay.stderr().contains("INFO  stopped in "), "shutdown is logged: " + relay.output());
        assertTrue(relay.stderr().contains("refused: 403 destination_ip_prohibited"), "the README's refusal is logged: " + relay.output());
        System.out.println("README commands:\n  " + String.join("\n  ", ran));
    }

    /** The README's command as it runs here: launchers of this clone, the scratch folder, free loopback ports. */
    private String adapt(ReadmeCommands.Command c, Map<String, String> ports) {
        String s = c.text();
        // The relay a section starts and talks to: "Run it for real" has its own, beside the dev relay of "Try it".
        String relayPort = c.section().startsWith("Run it for real") ? ports.get("4433/run") : ports.get("4433");
        if (s.startsWith("bin/relay-server dev")) {
            s = s.replaceFirst("bin/relay-server dev", "bin/relay-server dev --port " + ports.get("4433"));
        }
        s = s.replaceAll("(?<=:)4433\\b", relayPort)
                .replaceAll("\\b8000\\b", ports.get("8000"))
                .replaceAll("(?<=:)1080\\b", ports.get("1080"))
                .replaceAll("(?<=:)8080\\b", ports.get("8080"))
                .replaceAll("(?<=:)9464\\b", ports.get("9464"))
                .replace("/etc/relay", scratch.resolve("etc/relay").toString())
                .replaceAll("(^|\\s)bin/", "$1" + Matcher.quoteReplacement(REPO.resolve("bin").toString()) + "/");
        return s;
    }

    /** A command not run still has options that exist: --help must accept them. */
    private void checkOptions(ReadmeCommands.Command c, Map<String, String> ports) throws Exception {
        ShellProcess p = ShellProcess.start(adapt(c, ports) + " --help", scratch, logs);
        assertEquals(0, p.await(COMMAND_TIMEOUT), "'" + c.text() + " --help'\n" + p.output());
        assertClean(c.text() + " --help", p);
    }

    /** configs/ as shipped, its /etc/relay being the scratch one and its listeners on loopback. */
    private void copyConfigs(String port, String adminPort) throws IOException {
        Path configs = Files.createDirectories(scratch.resolve("configs"));
        try (var files = Files.list(REPO.resolve("configs"))) {
            for (Path f : files.toList()) {
                String text = Files.readString(f).replace("/etc/relay", scratch.resolve("etc/relay").toString())
                        .replace("\"0.0.0.0:4433\"", "\"127.0.0.1:" + port + "\"").replace("\"[::]:4433\"", "\"[::1]:" + port + "\"")
                        .replaceAll("(?<=:)4433\\b", port).replaceAll("(?<=:)9464\\b", adminPort);
                Files.writeString(configs.resolve(f.getFileName()), text);
            }
        }
    }

    /** No stack trace, no JDK or SLF4J warning, and every scratch path it names exists. */
    private void assertClean(String what, ShellProcess p) {
        String all = p.stdout() + p.stderr();
        for (String noise : NOISE) {
            assertFalse(all.contains(noise), "'" + what + "' printed '" + noise.strip() + "'\n" + p.output());
        }
        Matcher paths = Pattern.compile(Pattern.quote(scratch.toString()) + "[^\\s:,)'\"]*").matcher(all);
        while (paths.find()) {
            String path = paths.group().replaceAll("[.]$", "");
            assertTrue(Files.exists(Path.of(path)), "'" + what + "' names " + path + ", which does not exist\n" + p.output());
        }
    }

    private static String freeTcp() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Integer.toString(s.getLocalPort());
        }
    }

    /** A relay's port: free on UDP (HTTP/3) and on TCP (its HTTP/2 and HTTP/1.1 listener takes the same number). */
    private static String freeUdp() throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                 ServerSocket t = new ServerSocket(s.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
                return Integer.toString(t.getLocalPort());
            } catch (java.net.BindException taken) {
                if (attempt == 20) {
                    throw taken;
                }
            }
        }
    }
}
