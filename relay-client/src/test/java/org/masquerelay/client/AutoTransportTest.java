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
    /** HTTP/3's head start plus a TCP+TLS handshake and HTTP/2's SETTINGS, with room for a loaded machine. */
    private static final long FALLBACK_BOUND_MILLIS = 2500;
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

    @Test
    void cliSaysWhichTransportAndWhy() {
        Cli.Result r = Cli.run("fetch", "-v", "--proxy-transport", "auto", "-x", url(), "--proxy-cacert", relay.ca.toString(),
                "-w", "%{time_connect}\\n", "http://127.0.0.1:" + tcpEcho.port() + "/");
        // The echo server answers the GET with the request itself: not HTTP, but the transport line is all we need.
        assertTrue(r.stderr().contains("* transport: h2 (auto: no HTTP/3 answer within the 300 ms head start"), r.toString());
    }
}
