package org.masquerelay.acceptance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The release archive ({@code relay-server-VERSION.tar.gz}, made by {@code mvn package}) on its own: unpacked outside
 * the clone and run with nothing but Java, as the systemd unit runs it — certificates, check-config, run with the
 * shipped example configuration, /readyz, and SIGTERM ending it with status 0. The unit file's syntax is checked by
 * systemd-analyze where it is installed.
 */
@Timeout(180)
class DistributionTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theArchiveRunsWithoutTheSourceTreeOrMaven() throws Exception {
        Path archive;
        try (var files = Files.list(REPO.resolve("relay-server/target"))) {
            archive = files.filter(f -> f.getFileName().toString().matches("relay-server-.+\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no relay-server-VERSION.tar.gz: mvn package makes it"));
        }
        assertEquals(0, run(List.of("tar", "-xzf", archive.toString(), "-C", dir.toString())).exitValue());
        Path home;
        try (var dirs = Files.list(dir)) {
            home = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        for (String part : List.of("bin/relay-server", "configs/relay.example.yaml", "configs/minimal.yaml",
                "deploy/systemd/masque-relay.service")) {
            assertTrue(Files.exists(home.resolve(part)), "the archive holds " + part);
        }
        Path relay = home.resolve("bin/relay-server");
        assertTrue(Files.isExecutable(relay));

        Process version = run(List.of(relay.toString(), "--version"));
        assertEquals(0, version.exitValue(), output(version));
        Path etc = dir.resolve("etc");
        Process certs = run(List.of(relay.toString(), "certs", "--dir", etc.toString(), "--host", "localhost"));
        assertEquals(0, certs.exitValue(), output(certs));

        String udpPort = freeUdp();
        String adminPort = freeTcp();
        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, Files.readString(home.resolve("configs/relay.example.yaml"))
                .replace("/etc/relay", etc.toString())
                .replace("[\"0.0.0.0:4433\", \"[::]:4433\"]", "[\"127.0.0.1:" + udpPort + "\"]")
                .replace("127.0.0.1:9464", "127.0.0.1:" + adminPort));
        Process check = run(List.of(relay.toString(), "check-config", "-c", config.toString()));
        assertEquals(0, check.exitValue(), output(check));

        Path log = dir.resolve("relay.log");
        Process server = builder(List.of(relay.toString(), "run", "-c", config.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitText(log, "MASQUE relay running on 127.0.0.1:" + udpPort, server);
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/readyz")).timeout(T).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ready.statusCode(), ready.body());
            }
            server.destroy(); // SIGTERM, as systemctl stop sends
            assertTrue(server.waitFor(T.toSeconds(), TimeUnit.SECONDS), "ended after SIGTERM:\n" + Files.readString(log));
            assertEquals(0, server.exitValue(), Files.readString(log));
            String text = Files.readString(log);
            assertTrue(text.contains("draining:") && text.contains("stopped in "), text);
            assertFalse(text.contains("WARNING:") || text.contains("\tat "), text);
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void theSystemdUnitPassesSystemdAnalyze() throws Exception {
        Path unit = REPO.resolve("deploy/systemd/masque-relay.service");
        String text = Files.readString(unit);
        for (String needed : List.of("DynamicUser=yes", "AmbientCapabilities=CAP_NET_BIND_SERVICE", "ProtectSystem=strict",
                "ExecReload=kill -HUP $MAINPID")) {
            assertTrue(text.contains(needed), "the unit has " + needed);
        }
        Matcher stop = Pattern.compile("TimeoutStopSec=(\\d+)").matcher(text);
        assertTrue(stop.find(), "TimeoutStopSec is set");
        assertTrue(Integer.parseInt(stop.group(1)) > 30, "TimeoutStopSec leaves room for the 30 s drain");
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (Files.isExecutable(analyze)) {
            // The unit names /opt/masque-relay/bin/relay-server, which is not installed here: point it at a stand-in.
            Path copy = dir.resolve("masque-relay.service");
            Path standIn = dir.resolve("relay-server");
            Files.writeString(standIn, "#!/bin/sh\n");
            standIn.toFile().setExecutable(true);
            Files.writeString(copy, text.replace("/opt/masque-relay/bin/relay-server", standIn.toString()));
            Process verify = run(List.of(analyze.toString(), "verify", "--man=no", copy.toString()));
            String out = output(verify);
            assertEquals(0, verify.exitValue(), out);
            assertFalse(out.contains(copy.getFileName() + ":"), "systemd-analyze finds fault with the unit:\n" + out);
        }
    }

    private static ProcessBuilder builder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        // Nothing from the build: no Maven on the PATH, only a JDK.
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return pb;
    }

    private Process run(List<String> command) throws IOException, InterruptedException {
        Process p = builder(command).redirectErrorStream(true).directory(dir.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(T.toSeconds(), TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        outputs.put(p, new String(out, java.nio.charset.StandardCharsets.UTF_8));
        return p;
    }

    private final java.util.Map<Process, String> outputs = new java.util.HashMap<>();

    private String output(Process p) {
        return outputs.getOrDefault(p, "");
    }

    /** Polls the log file: the process writes it, and nothing else says when a line is there. */
    private static void awaitText(Path log, String text, Process p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!Files.readString(log).contains(text)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "':\n" + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }

    private static String freeTcp() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Integer.toString(s.getLocalPort());
        }
    }

    private static String freeUdp() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return Integer.toString(s.getLocalPort());
        }
    }
}
