package org.masquerelay.server.tcp;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's curl (a client we did not write) through the relay's TCP listener as {@code curl -x https://relay -p}:
 * HTTP/1.1 CONNECT over TLS to the relay (RFC 9110 §9.3.6), then plain HTTP through the tunnel.
 */
class DebianCurlTest {
    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final byte[] BODY = new byte[2 * 1024 * 1024 + 3];

    static {
        new Random(3).nextBytes(BODY);
    }

    @TempDir
    Path dir;
    private TcpRelay relay;
    private HttpServer origin;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "Debian's curl is not installed (.ci/run installs it)");
        relay = TcpRelay.start(dir);
        origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        origin.createContext("/file", exchange -> {
            exchange.sendResponseHeaders(200, BODY.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(BODY);
            }
        });
        origin.createContext("/echo", exchange -> {
            byte[] request;
            try (InputStream in = exchange.getRequestBody()) {
                request = in.readAllBytes();
            }
            exchange.sendResponseHeaders(200, request.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(request);
            }
        });
        origin.start();
    }

    @AfterEach
    void stop() {
        if (origin != null) {
            origin.stop(0);
        }
        if (relay != null) {
            relay.close();
        }
    }

    private record Result(int exit, String stderr) {}

    private Result curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(CURL.toString(), "-sS", "--max-time", "60",
                "-x", "https://127.0.0.1:" + relay.port(), "--proxy-cacert", relay.caCertificate.toString(), "-p"));
        command.addAll(List.of(args));
        Path err = dir.resolve("curl.err");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "curl finished");
        return new Result(p.exitValue(), Files.readString(err));
    }

    private String origin(String path) {
        return "http://127.0.0.1:" + origin.getAddress().getPort() + path;
    }

    @Test
    void downloadThroughHttp11ConnectIsByteIdentical() throws Exception {
        Path out = dir.resolve("download.bin");
        Result r = curl("-o", out.toString(), origin("/file"));
        assertEquals(0, r.exit(), r.stderr());
        assertArrayEquals(BODY, Files.readAllBytes(out));
    }

    @Test
    void uploadThroughHttp11ConnectIsByteIdentical() throws Exception {
        Path in = Files.write(dir.resolve("upload.bin"), BODY);
        Path out = dir.resolve("echoed.bin");
        Result r = curl("--data-binary", "@" + in, "-o", out.toString(), origin("/echo"));
        assertEquals(0, r.exit(), r.stderr());
        assertArrayEquals(BODY, Files.readAllBytes(out));
    }

    @Test
    void refusalReachesCurlWithProxyStatus() throws Exception {
        Result r = curl("-v", "http://192.0.2.1/");
        assertEquals(56, r.exit(), "curl: CONNECT tunnel failed\n" + r.stderr());
        assertTrue(r.stderr().contains("403"), r.stderr());
        assertTrue(r.stderr().toLowerCase().contains("proxy-status: relay-dev; error=destination_ip_prohibited")
                || r.stderr().toLowerCase().contains("proxy-status: relay-dev;error=destination_ip_prohibited"), r.stderr());
    }
}
