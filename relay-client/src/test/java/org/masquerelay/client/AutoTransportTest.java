package org.masquerelay.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.UdpEchoServer;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Auto mode where UDP does not get through: a relay that serves only its TCP listener, and on the same port number a
 * UDP socket that swallows every datagram (a firewall that drops QUIC: no ICMP, no answer). HTTP/2 must take over
 * after HTTP/3's head start, well before HTTP/3's own connect timeout (10 s), and be remembered.
 */
@Timeout(60)
class AutoTransportTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /**
     * HTTP/3's head start plus a TCP+TLS handshake and HTTP/2's SETTINGS: ~320 ms measured on a warm JVM, up to ~2.8 s
     * for the first connection of a JVM on a machine loaded twenty times over. The property that matters is that it
     * does not wait for HTTP/3's own connect timeout (10 s): half of that is the bound.
     */
    private static final long FALLBACK_BOUND_MILLIS = 5000;
    @TempDir
    static Path state;
    static TestRelay relay;
    static DatagramSocket blackHole;
    static TcpEchoServer tcpEcho;
    static UdpEchoServer udpEcho;

    @BeforeAll
    static void start() throws IOException {
        relay = TestRelay.startWithTcp(state, false);
        blackHole = new DatagramSocket(new InetSocketAddress("127.0.0.1", relay.port));
        tcpEcho = new TcpEchoServer(LOOPBACK);
        udpEcho = new UdpEchoServer(LOOPBACK);
    }

    @AfterAll
    static void stop() {
        relay.close();
        blackHole.close();
        tcpEcho.close();
        udpEcho.close();
    }

    static String url() {
        return "https://127.0.0.1:" + relay.port + "/";
    }

    @Test
    void fallsBackToHttp2AfterTheHeadStartAndRemembersIt() throws Exception {
        try (RelayClient client = TestEngine.builder().relay(url()).trustCaFile(relay.ca)
                .transport(RelayTransport.AUTO).build()) {
            long start = System.nanoTime();
            Duration connect = client.connect();
            long took = (System.nanoTime() - start) / 1_000_000;
            RelayTransport.Choice choice = client.transportChoice();
            System.out.println("auto fallback to " + choice + ": connected after " + took + " ms");
            assertEquals("h2", choice.protocol(), choice.toString());
            assertTrue(choice.reason().contains("no HTTP/3 answer within the 300 ms head start"), choice.toString());
            assertTrue(took >= RelayTransport.HEAD_START_MILLIS, "HTTP/2 started before the head start: " + took + " ms");
            assertTrue(took < FALLBACK_BOUND_MILLIS, "fallback took " + took + " ms");
            assertTrue(connect.toMillis() <= took);
            try (TcpTunnel t = client.openTcp("127.0.0.1", tcpEcho.port())) {
                t.outputStream().write("over h2".getBytes(StandardCharsets.UTF_8));
                t.shutdownOutput();
                assertEquals("over h2", new String(t.inputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            try (UdpTunnel u = client.openUdp("127.0.0.1", udpEcho.port())) {
                u.send("udp over h2".getBytes(StandardCharsets.UTF_8));
                assertArrayEquals("udp over h2".getBytes(StandardCharsets.UTF_8), u.receive(Duration.ofSeconds(20)));
            }
            // A new connection (the first one closed): straight to HTTP/2, no second wait for HTTP/3.
            client.close();
            long again = System.nanoTime();
            client.connect();
            long tookAgain = (System.nanoTime() - again) / 1_000_000;
            RelayTransport.Choice remembered = client.transportChoice();
            assertEquals("h2", remembered.protocol());
            assertTrue(remembered.reason().contains("remembered"), remembered.toString());
            System.out.println("remembered: " + remembered + " in " + tookAgain + " ms");
        }
    }

    /** Nothing on UDP at all (ICMP port unreachable): HTTP/3 fails (at once on kwik, which sees the ICMP) and HTTP/2 takes over. */
    @Test
    void fallsBackWhenNothingListensOnUdp(@TempDir Path dir) throws Exception {
        try (TestRelay tcpOnly = TestRelay.startWithTcp(dir, false);
             RelayClient client = TestEngine.builder().relay("https://127.0.0.1:" + tcpOnly.port + "/").trustCaFile(tcpOnly.ca)
                     .transport(RelayTransport.AUTO).build()) {
            long start = System.nanoTime();
            client.connect();
            long took = (System.nanoTime() - start) / 1_000_000;
            RelayTransport.Choice choice = client.transportChoice();
            System.out.println("nothing on UDP: " + choice + " after " + took + " ms");
            assertEquals("h2", choice.protocol(), choice.toString());
            assertTrue(took < FALLBACK_BOUND_MILLIS, "fallback took " + took + " ms");
            // Kwik sees the ICMP and fails HTTP/3 at once (HTTP/2 then starts at once); under load that can take longer
            // than the head start, and quiche (its own socket, no ICMP) always waits it out: either way HTTP/2 wins.
            assertTrue(choice.reason().contains("HTTP/2 started"), choice.toString());
        }
    }

    /** Neither transport gets through: the typed "unreachable" (curl's exit 7), not a hang or a bare IOException. */
    @Test
    void bothFailingIsRelayUnreachable() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, LOOPBACK)) {
            port = free.getLocalPort(); // closed again: nothing listens there on TCP, nor (most likely) on UDP
        }
        try (RelayClient client = TestEngine.builder().relay("https://127.0.0.1:" + port + "/").trustCaFile(relay.ca)
                .connectTimeout(Duration.ofSeconds(3)).transport(RelayTransport.AUTO).build()) {
            RelayUnreachableException e = org.junit.jupiter.api.Assertions.assertThrows(RelayUnreachableException.class, client::connect);
            assertTrue(e.getMessage().contains("TCP"), e.getMessage());
            assertEquals(1, e.getSuppressed().length, "HTTP/3's failure kept beside HTTP/2's");
        }
    }

    @Test
    void cliSaysWhichTransportAndWhy() {
        Cli.Result r = Cli.run("fetch", "-v", "--proxy-transport", "auto", "-x", url(), "--proxy-cacert", relay.ca.toString(),
                "-w", "%{time_connect}\\n", "http://127.0.0.1:" + tcpEcho.port() + "/");
        // The echo server answers the GET with the request itself: not HTTP, but the transport line is all we need.
        assertTrue(r.stderr().contains("* transport: h2 (auto: no HTTP/3 answer within the 300 ms head start"), r.toString());
    }
}
