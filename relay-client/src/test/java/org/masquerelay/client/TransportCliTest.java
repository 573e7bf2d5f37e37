package org.masquerelay.client;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.client.cli.ExitCodes;
import org.masquerelay.client.proxy.LocalProxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** relay-client's transport flags (curl's --proxy-http2, --proxy-http1.1; --proxy-http3; --proxy-transport). */
@Timeout(90)
class TransportCliTest {
    @TempDir
    static Path state;
    static TestRelay relay;
    static HttpServer http;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.startWithTcp(state, true);
        http = Origins.http();
    }

    @AfterAll
    static void stop() {
        relay.close();
        http.stop(0);
    }

    private static String data() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/data";
    }

    @ParameterizedTest
    @CsvSource({"--proxy-http2, h2", "--proxy-http1.1, http/1.1", "--proxy-http3, h3"})
    void fetchesOverTheTransportAskedFor(String flag, String protocol, @TempDir Path dir) throws Exception {
        Path out = dir.resolve("data.bin");
        Cli.Result r = Cli.run("fetch", "-v", flag, "-x", relay.url(), "--proxy-cacert", relay.ca.toString(),
                "-o", out.toString(), "-w", "%{http_code} %{http_connect}\\n", data());
        assertEquals(0, r.code(), r.toString());
        assertArrayEquals(Origins.BODY, Files.readAllBytes(out));
        assertEquals("200 200", r.out().trim());
        assertTrue(r.stderr().contains("* transport: " + protocol + " (asked for)"), r.stderr());
    }

    @Test
    void aRefusalOverHttp2HasTheSameExitCodeAsOverHttp3() {
        for (String flag : new String[] {"--proxy-http2", "--proxy-http1.1", "--proxy-http3"}) {
            Cli.Result r = Cli.run("fetch", flag, "-x", relay.url(), "--proxy-cacert", relay.ca.toString(),
                    "-w", "%{http_connect}\\n", "http://10.0.0.1/");
            assertEquals(ExitCodes.PROXY_REFUSED, r.code(), flag + ": " + r);
            assertEquals("403", r.out().trim(), flag);
            assertTrue(r.stderr().contains("destination_ip_prohibited"), flag + ": " + r.stderr());
        }
    }

    @Test
    void twoTransportsAreAUsageError() {
        Cli.Result r = Cli.run("fetch", "--proxy-http2", "--proxy-http1.1", "-x", relay.url(), data());
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.stderr().contains("give one of --proxy-http3, --proxy-http2, --proxy-http1.1"), r.stderr());
        Cli.Result bad = Cli.run("fetch", "--proxy-transport", "h4", "-x", relay.url(), data());
        assertEquals(ExitCodes.USAGE, bad.code(), bad.toString());
        assertTrue(bad.stderr().contains("'h4' is not a relay transport (h3, h2, http/1.1 or auto)"), bad.stderr());
    }

    /** The SOCKS5 and HTTP front ends over HTTP/2, driven by Debian's curl. */
    @Test
    void localProxyWorksOverHttp2() throws Exception {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        try (RelayClient client = relay.client().transport(RelayTransport.H2).build();
             LocalProxy proxy = LocalProxy.start(client, any, any, line -> {})) {
            String socks = "127.0.0.1:" + proxy.socks5Address().getPort();
            assertEquals("hello GET /ok\n", curl("--socks5-hostname", socks, "http://127.0.0.1:" + http.getAddress().getPort() + "/ok"));
            String httpProxy = "http://127.0.0.1:" + proxy.httpAddress().getPort();
            assertEquals("hello GET /ok\n", curl("-p", "-x", httpProxy, "http://127.0.0.1:" + http.getAddress().getPort() + "/ok"));
            assertEquals("h2", client.transportChoice().protocol());
            assertEquals(1, client.connectionsMade());
        }
    }

    private static String curl(String... args) throws Exception {
        String[] command = new String[args.length + 4];
        command[0] = "curl";
        command[1] = "-sS";
        command[2] = "--max-time";
        command[3] = "30";
        System.arraycopy(args, 0, command, 4, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = readAll(p.getInputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "curl finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
