package org.masquerelay.client;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.cli.ExitCodes;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** relay-client fetch against our relay on loopback: success paths, -v/-w, and every exit code. */
@Timeout(60)
class CliTest {
    @TempDir
    static Path state;
    static TestRelay relay;
    static HttpServer http;
    static HttpsServer https;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.start(state);
        http = Origins.http();
        https = Origins.https(state); // same state dir: certificate from the same dev CA
    }

    @AfterAll
    static void stop() {
        relay.close();
        http.stop(0);
        https.stop(0);
    }

    private static String[] fetch(String... more) {
        String[] base = {"fetch", "-x", relay.url(), "--proxy-cacert", relay.ca.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static String httpUrl(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    @Test
    void fetchesHttpThroughTheRelayWithTimings(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("data.bin");
        Cli.Result r = Cli.run(fetch("-o", out.toString(), "-w", "%{http_code} %{route} %{time_connect} %{time_tunnel} %{time_starttransfer} %{time_total}\\n",
                httpUrl("/data")));
        assertEquals(0, r.code(), r.toString());
        assertArrayEquals(Origins.BODY, Files.readAllBytes(out));
        String[] w = r.out().trim().split(" ");
        assertEquals("200", w[0]);
        assertEquals("relay", w[1]);
        double connect = Double.parseDouble(w[2]);
        double tunnel = Double.parseDouble(w[3]);
        double first = Double.parseDouble(w[4]);
        double total = Double.parseDouble(w[5]);
        assertTrue(0 < connect && connect <= tunnel && tunnel <= first && first <= total, r.out());
    }

    @Test
    void postsABodyToStdout() {
        Cli.Result r = Cli.run(fetch("-d", "ping body", httpUrl("/echo")));
        assertEquals(0, r.code(), r.toString());
        assertEquals("ping body", r.out());
    }

    @Test
    void fetchesHttpsWithRealTlsThroughTheTunnel(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("data.bin");
        String url = "https://127.0.0.1:" + https.getAddress().getPort() + "/data";
        Cli.Result r = Cli.run(fetch("--cacert", relay.ca.toString(), "-v", "-o", out.toString(), url));
        assertEquals(0, r.code(), r.toString());
        assertArrayEquals(Origins.BODY, Files.readAllBytes(out));
        assertTrue(r.stderr().contains("TLSv1.3") || r.stderr().contains("TLSv1.2"), r.stderr());

        // Without the target's CA the target's certificate is refused, and said so.
        Cli.Result untrusted = Cli.run(fetch(url));
        assertEquals(ExitCodes.CERTIFICATE, untrusted.code(), untrusted.toString());
        assertTrue(untrusted.stderr().contains("target"), untrusted.stderr());
        assertEquals(1, untrusted.stderr().strip().lines().count(), "one line, no stack trace: " + untrusted.stderr());
    }

    @Test
    void parallelTransfersShareTheRelayConnection() {
        Cli.Result r = Cli.run(fetch("--parallel", "4", "-w", "%{http_code}\\n", httpUrl("/hello")));
        assertEquals(0, r.code(), r.toString());
        assertEquals(4, r.out().lines().filter(l -> l.equals("200")).count(), r.out());
    }

    @Test
    void http3ToTheRelaysOwnPvdThroughConnectUdp() {
        // Under quiche the relay hop runs on quiche and the inner HTTP/3 connection (through the tunnel) on Kwik.
        // The relay is its own HTTP/3 origin: GET /.well-known/pvd over QUIC carried in a connect-udp tunnel.
        String url = "https://127.0.0.1:" + relay.port + "/.well-known/pvd";
        Cli.Result r = Cli.run(fetch("--http3", "--cacert", relay.ca.toString(), "-v", "-w", "\\n%{http_code}", url));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("\"identifier\""), r.out());
        assertTrue(r.out().endsWith("200"), r.out());
        assertTrue(r.stderr().contains(":protocol: connect-udp"), r.stderr());
    }

    @Test
    void policyRefusalShowsTheConnectExchangeAndProxyStatus() {
        Cli.Result r = Cli.run(fetch("-v", "-w", "%{http_connect}", "http://10.0.0.1/"));
        assertEquals(ExitCodes.PROXY_REFUSED, r.code(), r.toString());
        assertEquals("403", r.out(), "curl's %{http_connect}: the relay's answer to the tunnel request");
        assertTrue(r.stderr().contains("> :method: CONNECT"), r.stderr());
        assertTrue(r.stderr().contains("> :authority: 10.0.0.1:80"), r.stderr());
        assertTrue(r.stderr().contains("< :status: 403"), r.stderr());
        assertTrue(r.stderr().contains("< proxy-status:"), r.stderr());
        assertTrue(r.stderr().lines().anyMatch(l -> l.startsWith("relay-client: policy refused") && l.contains("destination_ip_prohibited")), r.stderr());
    }

    @Test
    void relayUnreachable() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Cli.Result r = Cli.run("fetch", "-x", "https://127.0.0.1:" + port + "/", "--proxy-cacert", relay.ca.toString(),
                "--connect-timeout", "3", httpUrl("/"));
        // Kwik's probe sees the ICMP port unreachable: curl's 7. The quiche engine cannot see it and waits out the
        // connect timeout: curl's 28.
        assertEquals(TestEngine.isQuiche() ? ExitCodes.TIMEOUT : ExitCodes.CONNECT, r.code(), r.toString());
    }

    @Test
    void relayCertificateNotTrusted() {
        Cli.Result r = Cli.run("fetch", "-x", relay.url(), "--connect-timeout", "5", httpUrl("/"));
        assertEquals(ExitCodes.CERTIFICATE, r.code(), r.toString());
        assertTrue(r.stderr().contains("not trusted"), r.stderr());
        // One line: Kwik's 30-line stack trace of the same failure no longer comes first, -s or not.
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("relay-client: TLS trust failure with the relay"), r.stderr());
        Cli.Result silent = Cli.run("fetch", "-s", "-x", relay.url(), "--connect-timeout", "5", httpUrl("/"));
        assertEquals(ExitCodes.CERTIFICATE, silent.code(), silent.toString());
        assertEquals("", silent.stderr());
    }

    @Test
    void authenticationRefusedThenAccepted(@TempDir Path dir) throws Exception {
        try (TestRelay auth = TestRelay.start(dir, true, 0)) {
            String[] base = {"fetch", "-x", auth.url(), "--proxy-cacert", auth.ca.toString()};
            Cli.Result refused = Cli.run(concat(base, "-w", "%{http_connect}", httpUrl("/")));
            assertEquals(ExitCodes.PROXY_REFUSED, refused.code(), refused.toString());
            assertTrue(refused.stderr().startsWith("relay-client: authentication refused"), refused.stderr());
            assertEquals("401", refused.out());
            Cli.Result ok = Cli.run(concat(base, "--proxy-header", "Authorization: " + TestRelay.TOKEN, httpUrl("/")));
            assertEquals(0, ok.code(), ok.toString());
            assertTrue(ok.out().startsWith("hello GET /"), ok.out());
        }
    }

    @Test
    void targetFailure() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Cli.Result r = Cli.run(fetch("http://127.0.0.1:" + port + "/"));
        // The relay's 502 connection_refused is curl's "could not connect".
        assertEquals(ExitCodes.CONNECT, r.code(), r.toString());
        assertTrue(r.stderr().contains("connection_refused"), r.stderr());
    }

    @Test
    void aTargetThatClosesAtOnceIsAnEmptyReply() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread closer = Thread.ofVirtual().start(() -> {
                try {
                    target.accept().close();
                } catch (java.io.IOException ignored) {
                    // the test ended
                }
            });
            Cli.Result r = Cli.run(fetch("http://127.0.0.1:" + target.getLocalPort() + "/"));
            assertEquals(ExitCodes.EMPTY_REPLY, r.code(), "curl's 52: " + r);
            assertTrue(r.stderr().contains("closed the connection without an HTTP response"), r.stderr());
            closer.join();
        }
    }

    @Test
    void maxTimeAgainstABlackHole() throws Exception {
        // A bound UDP socket that never answers: no ICMP, no QUIC, just silence.
        try (DatagramSocket hole = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            Cli.Result r = Cli.run("fetch", "-x", "https://127.0.0.1:" + hole.getLocalPort() + "/", "--max-time", "1", httpUrl("/"));
            assertEquals(ExitCodes.TIMEOUT, r.code(), r.toString());
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "gave up promptly");
        }
    }

    @Test
    void usageErrors() {
        assertEquals(ExitCodes.USAGE, Cli.run("fetch", httpUrl("/")).code()); // no -x
        assertEquals(ExitCodes.USAGE, Cli.run("fetch", "-x", "http://relay/", httpUrl("/")).code()); // not https
        assertTrue(Cli.run("fetch", "--help").out().contains("Exit codes"));
        Cli.Result engine = Cli.run("fetch", "--engine", "msquic", "-x", relay.url(), httpUrl("/"));
        assertEquals(ExitCodes.USAGE, engine.code(), engine.toString());
        assertTrue(engine.stderr().contains("--engine 'msquic' is not a QUIC engine (auto, kwik or quiche)"), engine.stderr());
        // A header line without a colon used to reach the HTTP/3 exchange and fail there with an index error (exit 1).
        for (String mode : new String[] {"--include", "--http3"}) {
            Cli.Result header = Cli.run("fetch", mode, "-H", "foo", "-x", relay.url(), "https://127.0.0.1:1/");
            assertEquals(ExitCodes.USAGE, header.code(), header.toString());
            assertTrue(header.stderr().contains("-H 'foo' is not 'Name: value'"), header.stderr());
            assertEquals(1, header.stderr().strip().lines().count(), header.stderr());
        }
        Cli.Result badName = Cli.run("fetch", "-H", "a b: c", "-x", relay.url(), httpUrl("/"));
        assertEquals(ExitCodes.USAGE, badName.code(), badName.toString());
        assertTrue(badName.stderr().contains("'a b' is not a header name"), badName.stderr());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aUrlWithoutSchemeIsHttpAndDashOIsStdout() throws Exception {
        Cli.Result r = Cli.run(fetch("-o", "-", "127.0.0.1:" + http.getAddress().getPort() + "/hello"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("hello GET /hello"), r.out());
        assertTrue(!Files.exists(Path.of("-")), "-o - writes to stdout, not to a file named '-'");
    }

    @Test
    void proxyInsecureWarnsOnStderrAndLeavesStdoutToTheBody() {
        Cli.Result r = Cli.run("fetch", "-x", relay.url(), "--proxy-insecure", httpUrl("/hello"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("hello GET /hello"), "stdout is the body alone: " + r.out());
        assertTrue(r.stderr().contains("warning: --proxy-insecure"), r.stderr());
    }

    @Test
    void aRelayNameThatDoesNotResolveIsCurls5() {
        Cli.Result r = Cli.run("fetch", "-x", "https://nowhere.example.com/", "--proxy-cacert", relay.ca.toString(), httpUrl("/"));
        assertEquals(ExitCodes.RESOLVE_PROXY, r.code(), r.toString());
        assertEquals("relay-client: relay unreachable: cannot resolve the relay host 'nowhere.example.com'", r.stderr().strip());
    }

    @Test
    void localFilesAndUrlsFailWithCurlsCodes(@TempDir Path dir) {
        Cli.Result read = Cli.run(fetch("-d", "@" + dir.resolve("missing.txt"), httpUrl("/echo")));
        assertEquals(ExitCodes.READ_ERROR, read.code(), read.toString());
        Cli.Result write = Cli.run(fetch("-o", dir.resolve("no/such/dir/out").toString(), httpUrl("/hello")));
        assertEquals(ExitCodes.WRITE_ERROR, write.code(), write.toString());
        Cli.Result scheme = Cli.run(fetch("ftp://127.0.0.1/"));
        assertEquals(ExitCodes.OTHER, scheme.code(), scheme.toString());
        assertTrue(scheme.stderr().contains("unsupported protocol 'ftp'"), scheme.stderr());
        Cli.Result malformed = Cli.run(fetch("http://exa mple.com/"));
        assertEquals(ExitCodes.MALFORMED_URL, malformed.code(), malformed.toString());
        for (Cli.Result r : new Cli.Result[] {read, write, scheme, malformed}) {
            assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        }
    }

    @Test
    void sameVocabularyAsTheOtherCommands() {
        String version = org.masquerelay.display.Version.number();
        for (String[] args : new String[][] {{"--version"}, {"fetch", "--version"}, {"proxy", "--version"}}) {
            Cli.Result r = Cli.run(args);
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().startsWith("relay-client " + version), r.out());
        }
        Cli.Result none = Cli.run();
        assertEquals(ExitCodes.USAGE, none.code(), none.toString());
        assertTrue(none.stderr().startsWith("say what to do: fetch or proxy"), none.stderr());
        assertEquals("", none.out());
        // proxy --help lists its own exit codes only; fetch --help lists curl's it uses.
        String proxyHelp = Cli.run("proxy", "--help").out();
        assertTrue(proxyHelp.contains(" 45  cannot listen"), proxyHelp);
        assertTrue(!proxyHelp.contains("-d @file") && !proxyHelp.contains(" 97 "), proxyHelp);
        String fetchHelp = Cli.run("fetch", "--help").out();
        assertTrue(fetchHelp.contains(" 97  the relay refused the tunnel") && fetchHelp.contains(" 60  certificate not trusted"), fetchHelp);
        // Command summaries are whole sentences.
        String top = Cli.run("--help").out();
        assertTrue(top.contains("fetch  Fetches URLs through the relay, with curl's options and exit codes."), top);
        assertTrue(top.matches("(?s).*proxy  Runs local SOCKS5 and HTTP proxy front ends so that unmodified\\s+programs use the relay\\..*"), top);
    }
}
