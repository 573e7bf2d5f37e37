package org.masquerelay.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.internal.DirectTcpChannel;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.UdpEchoServer;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class RelayClientTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    @TempDir
    static Path state;
    static TestRelay relay;
    static TcpEchoServer tcpEcho;
    static UdpEchoServer udpEcho;

    @BeforeAll
    static void start() throws IOException {
        relay = TestRelay.start(state);
        tcpEcho = new TcpEchoServer(LOOPBACK);
        udpEcho = new UdpEchoServer(LOOPBACK);
    }

    @AfterAll
    static void stop() {
        relay.close();
        tcpEcho.close();
        udpEcho.close();
    }

    @Test
    void tcpTunnelEchoesOptimisticDataAndHalfCloses() throws Exception {
        try (RelayClient client = relay.client().build();
             TcpTunnel tunnel = client.openTcp("127.0.0.1", tcpEcho.port())) {
            // Written before the relay's 200 has been waited for (optimistic data), then FIN.
            byte[] data = "hello through the relay".getBytes(StandardCharsets.UTF_8);
            tunnel.outputStream().write(data);
            tunnel.shutdownOutput();
            assertArrayEquals(data, tunnel.inputStream().readAllBytes()); // -1 only because the echo server half-closed back
            assertEquals("200", tunnel.awaitResponse().getOrNull(":status"));
            assertEquals("CONNECT", tunnel.requestHeaders().getOrNull(":method"));
            assertEquals("i", tunnel.requestHeaders().getOrNull("priority"));
            assertFalse(tunnel.requestHeaders().contains(":protocol"));
            assertFalse(tunnel.requestHeaders().contains(":path"));
        }
    }

    @Test
    void manyTunnelsShareOneConnectionAndALostConnectionIsReplaced() throws Exception {
        Path dir = state.resolve("restart");
        TestRelay own = TestRelay.start(dir);
        int port = own.port;
        try (RelayClient client = own.client().build()) {
            var pool = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                byte[] payload = ("tunnel " + i).repeat(1000).getBytes(StandardCharsets.UTF_8);
                results.add(pool.submit(() -> {
                    try (TcpTunnel t = client.openTcp("127.0.0.1", tcpEcho.port())) {
                        t.outputStream().write(payload);
                        t.shutdownOutput();
                        return t.inputStream().readAllBytes();
                    }
                }));
            }
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(("tunnel " + i).repeat(1000).getBytes(StandardCharsets.UTF_8), results.get(i).get(30, TimeUnit.SECONDS));
            }
            assertEquals(1, client.connectionsMade());

            // The relay restarts on the same port: its CONNECTION_CLOSE ends our connection; the next tunnel reconnects.
            CountDownLatch closed = new CountDownLatch(1);
            client.onConnectionClosed(closed::countDown);
            own.close();
            assertTrue(closed.await(10, TimeUnit.SECONDS), "client noticed the relay's close");
            own = TestRelay.start(dir, false, port);
            try (TcpTunnel t = client.openTcp("127.0.0.1", tcpEcho.port())) {
                t.outputStream().write(new byte[] {1, 2, 3});
                t.shutdownOutput();
                assertArrayEquals(new byte[] {1, 2, 3}, t.inputStream().readAllBytes());
            }
            assertEquals(2, client.connectionsMade());
        } finally {
            own.close();
        }
    }

    @Test
    void udpTunnelUsesQuicDatagramsWhenOffered() throws Exception {
        try (RelayClient client = relay.client().build();
             UdpTunnel tunnel = client.openUdp("127.0.0.1", udpEcho.port())) {
            assertFalse(tunnel.usesCapsules());
            // Kwik sends ~1252-byte packets, quiche 1350 (QuicheConnection.MAX_UDP_PAYLOAD): ~1200 or ~1316 here.
            assertTrue(tunnel.maxPayloadSize() > 1000 && tunnel.maxPayloadSize() < 1350, "datagram limit " + tunnel.maxPayloadSize());
            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                String p = "datagram " + i;
                sent.add(p);
                tunnel.send(p.getBytes(StandardCharsets.UTF_8)); // the first ones before the 200
            }
            assertEquals("200", tunnel.awaitResponse().getOrNull(":status"));
            Set<String> got = new HashSet<>();
            while (got.size() < sent.size()) {
                byte[] r = tunnel.receive(Duration.ofSeconds(10));
                assertNotNull(r, "echo arrived; so far " + got);
                got.add(new String(r, StandardCharsets.UTF_8));
            }
            assertEquals(sent, got);
            DatagramTooLargeException e = assertThrows(DatagramTooLargeException.class, () -> tunnel.send(new byte[tunnel.maxPayloadSize() + 1]));
            assertEquals(tunnel.maxPayloadSize(), e.limit());
        }
    }

    @Test
    void udpTunnelCarriesCapsulesWhenAsked() throws Exception {
        try (RelayClient client = relay.client().udpMode(UdpMode.CAPSULES).build();
             UdpTunnel tunnel = client.openUdp("127.0.0.1", udpEcho.port())) {
            assertTrue(tunnel.usesCapsules());
            byte[] big = new byte[4000]; // larger than any QUIC DATAGRAM here: only the capsule path carries it
            Arrays.fill(big, (byte) 0xFF); // 0xFF bytes: Flupke-style readers mistook them for end of stream
            tunnel.send(big);
            assertArrayEquals(big, tunnel.receive(Duration.ofSeconds(10)));
            assertThrows(DatagramTooLargeException.class, () -> tunnel.send(new byte[65528]));
        }
    }

    @Test
    void policyRefusalIsTyped() throws Exception {
        try (RelayClient client = relay.client().build();
             TcpTunnel tunnel = client.openTcp("10.0.0.1", 80)) {
            TunnelRefusedException e = assertThrows(TunnelRefusedException.class, () -> tunnel.inputStream().read());
            assertEquals(403, e.status());
            assertEquals("destination_ip_prohibited", e.proxyError());
            assertNotNull(e.proxyStatus().orElseThrow().details());
        }
    }

    @Test
    void closedTargetPortIsTargetUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closedPort = s.getLocalPort();
        }
        try (RelayClient client = relay.client().build();
             TcpTunnel tunnel = client.openTcp("127.0.0.1", closedPort)) {
            TargetUnreachableException e = assertThrows(TargetUnreachableException.class, tunnel::awaitResponse);
            assertTrue(e.status() >= 500, "status " + e.status());
            assertEquals("connection_refused", e.proxyError());
        }
    }

    @Test
    void missingCredentialsAreAnAuthenticationFailure(@TempDir Path dir) throws Exception {
        try (TestRelay authRelay = TestRelay.start(dir, true, 0)) {
            try (RelayClient client = authRelay.client().build();
                 TcpTunnel tunnel = client.openTcp("127.0.0.1", tcpEcho.port())) {
                AuthenticationException e = assertThrows(AuthenticationException.class, tunnel::awaitResponse);
                assertEquals(401, e.status());
            }
            try (RelayClient client = authRelay.client().header("Authorization", TestRelay.TOKEN).build();
                 TcpTunnel tunnel = client.openTcp("127.0.0.1", tcpEcho.port())) {
                assertEquals("200", tunnel.awaitResponse().getOrNull(":status"));
            }
        }
    }

    @Test
    void nothingListeningIsRelayUnreachable() throws Exception {
        int closedPort;
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
            closedPort = s.getLocalPort();
        }
        try (RelayClient client = TestEngine.builder().relay("https://127.0.0.1:" + closedPort + "/").trustCaFile(relay.ca)
                .connectTimeout(Duration.ofSeconds(3)).build()) {
            RelayUnreachableException e = assertThrows(RelayUnreachableException.class, () -> client.openTcp("127.0.0.1", 80));
            assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
        }
    }

    @Test
    void untrustedRelayCertificateIsATrustFailure() throws Exception {
        // No CA given: the dev CA is not among the system roots.
        try (RelayClient client = TestEngine.builder().relay(relay.url()).connectTimeout(Duration.ofSeconds(5)).build()) {
            RelayTrustException e = assertThrows(RelayTrustException.class, () -> client.openTcp("127.0.0.1", 80));
            assertTrue(e.getMessage().toLowerCase().contains("cert"), e.getMessage());
        }
    }

    @Test
    void noAnswerInTimeIsATimeout() throws Exception {
        // A TCP target whose accept queue is full drops SYNs on Linux: the relay keeps trying, we stop waiting.
        try (ServerSocket full = new ServerSocket(0, 1, LOOPBACK)) {
            List<java.net.Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    java.net.Socket s = new java.net.Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                        fillers.add(s);
                    } catch (IOException timedOut) {
                        s.close();
                        break; // the queue is full
                    }
                }
                try (RelayClient client = relay.client().requestTimeout(Duration.ofMillis(1500)).build();
                     TcpTunnel tunnel = client.openTcp("127.0.0.1", full.getLocalPort())) {
                    RelayTimeoutException e = assertThrows(RelayTimeoutException.class, tunnel::awaitResponse);
                    assertEquals(0, e.status());
                }
            } finally {
                for (java.net.Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void routePolicySendsMatchedNamesThroughTheRelayAndOthersDirect() throws Exception {
        RoutePolicy policy = RoutePolicy.of(List.of("localhost"), List.of(), List.of(), List.of());
        try (RelayClient client = relay.client().routePolicy(policy).build()) {
            Route viaRelay = client.route("localhost");
            assertTrue(viaRelay.relayed(), viaRelay.toString());
            assertTrue(viaRelay.reason().contains("matchDomains"), viaRelay.reason());
            assertFalse(client.route("127.0.0.1").relayed()); // IP literals never match domain rules
            assertFalse(client.route("example.org").relayed());

            try (TcpChannel relayed = client.connectTcp("localhost", tcpEcho.port());
                 TcpChannel direct = client.connectTcp("127.0.0.1", tcpEcho.port())) {
                assertInstanceOf(TcpTunnel.class, relayed);
                assertInstanceOf(DirectTcpChannel.class, direct);
                for (TcpChannel c : List.of(relayed, direct)) {
                    c.outputStream().write("x".getBytes(StandardCharsets.UTF_8));
                    c.shutdownOutput();
                    assertEquals("x", new String(c.inputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            // Only the relayed flow made a connection to the relay.
            assertEquals(1, client.connectionsMade());
        }
        RoutePolicy excluded = RoutePolicy.of(List.of(), List.of("example.com"), List.of(), List.of("direct.example.org"));
        assertFalse(excluded.decide("www.example.com").relayed());
        assertFalse(excluded.decide("direct.example.org").relayed());
        assertTrue(excluded.decide("other.example.org").relayed());
    }

    @Test
    void relayUrlsAndTemplates() {
        RelayEndpoint plain = RelayEndpoint.parse("https://relay.example/");
        assertEquals(443, plain.port());
        assertEquals("/.well-known/masque/udp/192.0.2.1/53/", plain.udpPath("192.0.2.1", 53));
        RelayEndpoint v6 = RelayEndpoint.parse("https://[::1]:4433/masque/{target_host}/{target_port}/");
        assertEquals("::1", v6.host());
        assertEquals("[::1]:4433", v6.authority());
        assertEquals("/masque/2001%3Adb8%3A%3A1/443/", v6.udpPath("2001:db8::1", 443));
        assertThrows(IllegalArgumentException.class, () -> RelayEndpoint.parse("http://relay.example/"));
    }
}
