package org.masquerelay.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.certs.CertificateTool;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.Tunnel;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code log.format: json} on a real relay process: every line of its log is one JSON object (checked by a JSON
 * parser, Python's), a tunnel's end is one event with its target, resolved address, bytes, duration and outcome, and
 * no credential appears anywhere, even a wrong one.
 */
class JsonLogTest {
    private static final Duration T = Duration.ofSeconds(20);
    /** Prints one line per tunnel_closed / tunnel_refused event: its fields, tab-separated; fails on any non-JSON line. */
    private static final String READER = """
            import json, sys
            for line in sys.stdin:
                if not line.startswith("{"):
                    continue  # stdout's start-up lines are not the log
                e = json.loads(line)
                assert isinstance(e, dict) and {"time", "level", "logger", "message"} <= e.keys(), line
                if e.get("event") in ("tunnel_closed", "tunnel_refused"):
                    print("\\t".join(str(e.get(k)) for k in ("event", "kind", "target", "address", "bytes_up",
                                                           "bytes_down", "duration_ms", "outcome", "status", "error")))
            """;

    @TempDir
    Path dir;

    @Test
    void tunnelEndsAreJsonEventsWithoutCredentials() throws Exception {
        CertificateTool.Result certs = RelayProcess.certificates(dir);
        Files.writeString(dir.resolve("credentials"), "Bearer s3cret-token\n");
        try (TcpEchoServer echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
             RelayProcess relay = RelayProcess.start(RelayProcess.config(dir, certs,
                     "log:\n  format: json\nauth:\n  header: authorization\n  credentials-file: credentials\n"));
             NettyH3Client client = NettyH3Client.connect(relay.address(), NettyH3Client.Options.defaults().trusting(certs.caCertificate()))) {
            assertEquals(407, client.openTcp(echo.authority(), Map.of("authorization", "Bearer wrong-guess"), null)
                    .awaitResponse(T).status());
            Tunnel tunnel = client.openTcp(echo.authority(), Map.of("authorization", "Bearer s3cret-token"), null);
            assertEquals(200, tunnel.awaitResponse(T).status());
            byte[] sent = new byte[12_345];
            Arrays.fill(sent, (byte) 'j');
            tunnel.write(sent);
            assertArrayEquals(sent, tunnel.readBytes(sent.length, T));
            tunnel.shutdownOutput();
            tunnel.readToEnd(T);
            relay.awaitLine(l -> l.contains("\"event\":\"tunnel_closed\""), T);

            String log = relay.output();
            assertFalse(log.contains("s3cret-token"), "the credential is never logged:\n" + log);
            assertFalse(log.contains("wrong-guess"), "nor a wrong one:\n" + log);
            List<String[]> events = events(log);
            String[] refused = events.stream().filter(e -> e[0].equals("tunnel_refused")).findFirst().orElseThrow();
            assertEquals("407", refused[8], log);
            assertEquals("http_request_denied", refused[9], log);
            String[] closed = events.stream().filter(e -> e[0].equals("tunnel_closed")).findFirst().orElseThrow();
            assertEquals("tcp", closed[1]);
            assertEquals(echo.authority(), closed[2], "target");
            assertEquals(echo.authority(), closed[3], "resolved address");
            assertEquals("12345", closed[4], "bytes up");
            assertEquals("12345", closed[5], "bytes down");
            assertTrue(Long.parseLong(closed[6]) >= 0, "duration");
            assertFalse(closed[7].isBlank() || closed[7].equals("None"), "outcome: " + closed[7]);
        }
    }

    /** The log's tunnel events through a JSON parser; every log line must parse. */
    private static List<String[]> events(String log) throws IOException, InterruptedException {
        String python3 = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process python = new ProcessBuilder(python3, "-c", READER).start();
        try (OutputStream in = python.getOutputStream()) {
            in.write(log.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!python.waitFor(30, TimeUnit.SECONDS) || python.exitValue() != 0) {
            throw new AssertionError("not one JSON object per line: " + err + "\nlog:\n" + log);
        }
        return out.lines().map(l -> l.split("\t", -1)).toList();
    }
}
