package org.masquerelay.client.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.Origins;
import org.masquerelay.client.TestRelay;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * relay-client as its own process: the environment's relay (HTTPS_PROXY, NO_PROXY...), --resolve and --connect-to
 * (which work in the JDK's resolver), and the proxy command's start-up, exit codes and output.
 */
@Timeout(120)
class CommandProcessTest {
    @TempDir
    static Path state;
    static TestRelay relay;
    static HttpServer http;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.start(state);
        http = Origins.http();
    }

    @AfterAll
    static void stop() {
        relay.close();
        http.stop(0);
    }

    private static String httpUrl(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    @Test
    void resolveAndConnectToTryAProductionNameOnLoopback(@TempDir Path dir) throws Exception {
        try (TestRelay named = TestRelay.startNamed(dir, "relay.example.com")) {
            String ca = named.ca.toString();
            CommandProcess.Result resolved = CommandProcess.run(Map.of(), "fetch", "-x", "https://relay.example.com:" + named.port + "/",
                    "--proxy-cacert", ca, "--resolve", "relay.example.com:" + named.port + ":127.0.0.1", httpUrl("/hello"));
            assertEquals(0, resolved.code(), resolved.toString());
            assertTrue(resolved.stdout().startsWith("hello GET /hello"), resolved.toString());

            // The production URL as is (port 443), moved to the loopback relay; TLS still checks relay.example.com.
            CommandProcess.Result moved = CommandProcess.run(Map.of(), "fetch", "-x", "https://relay.example.com/",
                    "--proxy-cacert", ca, "--connect-to", "relay.example.com:443:127.0.0.1:" + named.port, httpUrl("/hello"));
            assertEquals(0, moved.code(), moved.toString());

            CommandProcess.Result wrongName = CommandProcess.run(Map.of(), "fetch", "-x", "https://relay.example.org/",
                    "--proxy-cacert", ca, "--connect-to", "relay.example.org:443:127.0.0.1:" + named.port, httpUrl("/hello"));
            assertEquals(ExitCodes.CERTIFICATE, wrongName.code(), "the certificate names relay.example.com: " + wrongName);
        }
    }

    @Test
    void theEnvironmentNamesTheRelayAsForCurl() throws Exception {
        String ca = relay.ca.toString();
        // http:// URLs: http_proxy (lower case only), then ALL_PROXY.
        CommandProcess.Result viaHttpProxy = CommandProcess.run(Map.of("http_proxy", relay.url()),
                "fetch", "--proxy-cacert", ca, "-w", "\n%{route}", httpUrl("/hello"));
        assertEquals(0, viaHttpProxy.code(), viaHttpProxy.toString());
        assertTrue(viaHttpProxy.stdout().endsWith("\nrelay"), viaHttpProxy.toString());
        CommandProcess.Result viaAll = CommandProcess.run(Map.of("ALL_PROXY", relay.url()),
                "fetch", "--proxy-cacert", ca, "-w", "\n%{route}", httpUrl("/hello"));
        assertEquals(0, viaAll.code(), viaAll.toString());
        // HTTPS_PROXY is for https:// URLs only; the message says so instead of leaving one guessing.
        CommandProcess.Result httpsOnly = CommandProcess.run(Map.of("HTTPS_PROXY", relay.url()), "fetch", httpUrl("/hello"));
        assertEquals(ExitCodes.USAGE, httpsOnly.code(), httpsOnly.toString());
        assertTrue(httpsOnly.stderr().contains("HTTPS_PROXY is for https:// URLs"), httpsOnly.toString());
        // NO_PROXY: the target is reached directly, whatever the (here unreachable) relay.
        CommandProcess.Result direct = CommandProcess.run(Map.of("ALL_PROXY", "https://127.0.0.1:9/", "NO_PROXY", "localhost,127.0.0.0/8"),
                "fetch", "-w", "\n%{route}", httpUrl("/hello"));
        assertEquals(0, direct.code(), direct.toString());
        assertTrue(direct.stdout().endsWith("\ndirect"), direct.toString());
        // A relay variable that is not a relay (an http:// proxy) is named.
        CommandProcess.Result notARelay = CommandProcess.run(Map.of("http_proxy", "http://proxy.corp:3128"), "fetch", httpUrl("/hello"));
        assertEquals(ExitCodes.USAGE, notARelay.code(), notARelay.toString());
        assertTrue(notARelay.stderr().contains("http_proxy is 'http://proxy.corp:3128', not a relay"), notARelay.toString());
    }

    @Test
    void proxyListensAtOnceAndSaysSoOnlyThen() throws Exception {
        int socks = freePort();
        try (CommandProcess proxy = CommandProcess.start(Map.of(), "proxy", "--socks5", "127.0.0.1:" + socks,
                "-x", relay.url(), "--proxy-cacert", relay.ca.toString())) {
            proxy.awaitStderr(l -> l.equals("relay-client: SOCKS5 proxy listening on 127.0.0.1:" + socks), Duration.ofSeconds(30));
            // As the README does it: curl right after the line, no waiting.
            Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "30", "--socks5-hostname", "127.0.0.1:" + socks,
                    httpUrl("/hello")).start();
            assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
            String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, curl.exitValue(), new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(body.startsWith("hello GET /hello"), body);
            CommandProcess.Result stopped = proxy.stop();
            assertEquals("", stopped.stdout());
            assertFalse(stopped.stderr().contains("\tat "), stopped.stderr());
        }
    }

    @Test
    void proxyStopsWithCurlsCodeWhenTheRelayIsNotTrustedOrThePortIsTaken() throws Exception {
        int http = freePort();
        CommandProcess.Result untrusted = CommandProcess.run(Map.of(), "proxy", "--http", "127.0.0.1:" + http, "-x", relay.url());
        assertEquals(ExitCodes.CERTIFICATE, untrusted.code(), untrusted.toString());
        List<String> lines = untrusted.stderr().lines().toList();
        assertEquals("relay-client: HTTP proxy listening on 127.0.0.1:" + http, lines.get(0), untrusted.toString());
        assertTrue(lines.get(1).startsWith("relay-client: TLS trust failure with the relay"), untrusted.toString());
        assertEquals(2, lines.size(), "no stack trace: " + untrusted);

        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CommandProcess.Result inUse = CommandProcess.run(Map.of(), "proxy", "--http", "127.0.0.1:" + taken.getLocalPort(),
                    "-x", relay.url(), "--proxy-cacert", relay.ca.toString());
            assertEquals(ExitCodes.LOCAL_ADDRESS, inUse.code(), inUse.toString());
            assertEquals("relay-client: cannot listen: http on 127.0.0.1:" + taken.getLocalPort() + ": address already in use"
                    + " (another program has that port; choose another)", inUse.stderr().strip());
        }
    }

    @Test
    void proxyStartedBeforeItsRelayServesOnceTheRelayIsUp(@TempDir Path dir) throws Exception {
        int socks = freePort();
        int relayPort;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            relayPort = probe.getLocalPort();
        }
        // The relay's CA is made before the relay starts: same state folder.
        org.masquerelay.server.DevMode.prepare(dir, List.of());
        try (CommandProcess proxy = CommandProcess.start(Map.of(), "proxy", "--socks5", "127.0.0.1:" + socks,
                "-x", "https://127.0.0.1:" + relayPort + "/", "--proxy-cacert", dir.resolve("ca.pem").toString())) {
            String warning = proxy.awaitStderr(l -> l.startsWith("relay-client: warning: relay unreachable"), Duration.ofSeconds(30));
            assertTrue(warning.endsWith("; each new connection tries again"), warning);
            try (TestRelay late = TestRelay.start(dir, false, relayPort)) {
                Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "30", "--socks5-hostname", "127.0.0.1:" + socks,
                        httpUrl("/hello")).start();
                assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, curl.exitValue(), new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                assertTrue(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).startsWith("hello GET /hello"));
            }
        }
    }

    @Test
    void proxyOutlivesItsRelayQuietly(@TempDir Path dir) throws Exception {
        int socks = freePort();
        TestRelay doomed = TestRelay.start(dir);
        try (CommandProcess proxy = CommandProcess.start(Map.of(), "proxy", "--socks5", "127.0.0.1:" + socks,
                "-x", doomed.url(), "--proxy-cacert", doomed.ca.toString())) {
            proxy.awaitStderr(l -> l.contains(" connected in "), Duration.ofSeconds(30));
            doomed.close();
            // A flow after the relay went away fails, and the proxy says so in one line, not with PortUnreachable traces.
            Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "20", "--socks5-hostname", "127.0.0.1:" + socks,
                    httpUrl("/hello")).start();
            assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
            assertTrue(curl.exitValue() != 0, "no relay, no answer");
            CommandProcess.Result stopped = proxy.stop();
            assertFalse(stopped.stderr().contains("\tat ") || stopped.stderr().contains("Exception"), stopped.stderr());
        } finally {
            doomed.close();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
