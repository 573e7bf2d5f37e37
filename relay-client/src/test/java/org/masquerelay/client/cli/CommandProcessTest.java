package org.masquerelay.client.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.LoopbackBalancer;
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
    static org.masquerelay.testpeers.TcpEchoServer echo;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.start(state);
        http = Origins.http();
        echo = new org.masquerelay.testpeers.TcpEchoServer(InetAddress.getLoopbackAddress());
    }

    @AfterAll
    static void stop() {
        relay.close();
        http.stop(0);
        echo.close();
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

    /** The SOCKS5 front end after the relay's GOAWAY: -v says so, and the next flow goes to another relay. */
    @Test
    void proxyMovesToAnotherRelayWhenItsRelayDrains(@TempDir Path dir) throws Exception {
        int socks = freePort();
        try (TestRelay draining = TestRelay.start(dir);
             TestRelay other = TestRelay.start(dir);
             LoopbackBalancer balancer = new LoopbackBalancer(draining.port);
             CommandProcess proxy = CommandProcess.start(Map.of(), "proxy", "-v", "--socks5", "127.0.0.1:" + socks,
                     "-x", balancer.url(), "--proxy-cacert", draining.ca.toString())) {
            proxy.awaitStderr(l -> l.contains(" connected in "), Duration.ofSeconds(30));
            assertEquals(0, curlThroughSocks(socks), "through the first relay");
            // A flow that stays open across the drain: it runs on, on the old connection.
            java.net.Socket open = socks5(socks, echo.port());
            open.getOutputStream().write("before".getBytes(StandardCharsets.US_ASCII));
            assertEquals("before", new String(open.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
            balancer.newFlowsTo(other.port);
            Thread drain = Thread.ofVirtual().start(() -> draining.server.drain(Duration.ofSeconds(30)));
            String line = proxy.awaitStderr(l -> l.contains("relay sent GOAWAY"), Duration.ofSeconds(30));
            assertTrue(line.contains("relay sent GOAWAY; new tunnels go to a new connection"), line);
            assertEquals(0, curlThroughSocks(socks), "through the other relay");
            assertEquals(1, balancer.flowsTo(other.port), "the proxy's second connection went to the other relay");
            open.getOutputStream().write("after".getBytes(StandardCharsets.US_ASCII));
            assertEquals("after", new String(open.getInputStream().readNBytes(5), StandardCharsets.US_ASCII),
                    "the open flow ran on through the drain");
            open.close();
            assertTrue(drain.join(Duration.ofSeconds(40)), "the drained relay stopped");
            CommandProcess.Result stopped = proxy.stop();
            assertFalse(stopped.stderr().contains("\tat "), stopped.stderr());
        }
    }

    /** A SOCKS5 CONNECT (RFC 1928, no authentication) to 127.0.0.1:port through the front end. */
    private static java.net.Socket socks5(int socks, int port) throws Exception {
        java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), socks);
        s.setSoTimeout(30_000);
        s.getOutputStream().write(new byte[] {5, 1, 0});
        assertEquals(2, s.getInputStream().readNBytes(2).length);
        s.getOutputStream().write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (port >> 8), (byte) port});
        byte[] reply = s.getInputStream().readNBytes(10);
        assertEquals(0, reply[1], "SOCKS5 reply: succeeded");
        return s;
    }

    private static int curlThroughSocks(int socks) throws Exception {
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "30", "--socks5-hostname", "127.0.0.1:" + socks,
                httpUrl("/hello")).start();
        assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
        String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.exitValue() != 0 || body.startsWith("hello GET /hello"), body);
        return curl.exitValue();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
