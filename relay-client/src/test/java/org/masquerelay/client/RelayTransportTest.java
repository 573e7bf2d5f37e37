package org.masquerelay.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.UdpEchoServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's tunnels over our relay's TLS-over-TCP listener (HTTP/2 and HTTP/1.1), real sockets on loopback: the
 * same tunnels and the same typed refusals as over HTTP/3. The listener does not depend on the QUIC engine.
 */
@Timeout(60)
class RelayTransportTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    @TempDir
    static Path state;
    static TestRelay relay;
    static TcpEchoServer tcpEcho;
    static UdpEchoServer udpEcho;

    @BeforeAll
    static void start() throws IOException {
        relay = TestRelay.startWithTcp(state, true);
        tcpEcho = new TcpEchoServer(LOOPBACK);
        udpEcho = new UdpEchoServer(LOOPBACK);
    }

    @AfterAll
    static void stop() {
        relay.close();
        tcpEcho.close();
        udpEcho.close();
    }

    private static RelayClient.Builder client(RelayTransport transport) {
        return TestEngine.builder().relay("https://127.0.0.1:" + relay.tcpPort() + "/").trustCaFile(relay.ca)
                .transport(transport);
    }

    /** 2 MiB each way at once (flow control both ways), byte for byte; the echo's FIN comes only after ours. */
    @ParameterizedTest
    @EnumSource(value = RelayTransport.class, names = {"H2", "HTTP1_1"})
    void tcpTunnelIsByteExactBothWaysAndHalfCloses(RelayTransport transport) throws Exception {
        byte[] data = new byte[2 * 1024 * 1024];
        new Random(42).nextBytes(data);
        try (RelayClient client = client(transport).build();
             TcpTunnel tunnel = client.openTcp("127.0.0.1", tcpEcho.port());
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<byte[]> echoed = pool.submit(() -> readAll(tunnel.inputStream()));
            for (int i = 0; i < data.length; i += 16 * 1024) {
                tunnel.outputStream().write(data, i, Math.min(16 * 1024, data.length - i));
            }
            tunnel.shutdownOutput();
            assertArrayEquals(data, echoed.get());
            assertEquals("200", tunnel.awaitResponse().getOrNull(":status"));
            assertEquals(transport.protocolName(), client.transportChoice().protocol());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RelayTransport.class, names = {"H2", "HTTP1_1"})
    void udpTunnelCarriesDatagramCapsules(RelayTransport transport) throws Exception {
        try (RelayClient client = client(transport).build();
             UdpTunnel tunnel = client.openUdp("127.0.0.1", udpEcho.port())) {
            assertTrue(tunnel.usesCapsules(), "no QUIC datagrams over TCP: DATAGRAM capsules on the stream");
            for (int i = 0; i < 20; i++) {
                byte[] payload = ("datagram " + i + " " + "x".repeat(i * 60)).getBytes(StandardCharsets.UTF_8);
                tunnel.send(payload);
                assertArrayEquals(payload, tunnel.receive(Duration.ofSeconds(20)), "datagram " + i);
            }
            assertEquals("?1", tunnel.requestHeaders().getOrNull("capsule-protocol"));
        }
    }

    /** Ten tunnels at once on one HTTP/2 connection: each a stream, one TCP+TLS connection made. */
    @org.junit.jupiter.api.Test
    void h2TunnelsShareOneConnection() throws Exception {
        try (RelayClient client = client(RelayTransport.H2).build();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            client.connect();
            List<Future<String>> echoes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String text = "tunnel " + i;
                echoes.add(pool.submit(() -> {
                    try (TcpTunnel t = client.openTcp("127.0.0.1", tcpEcho.port())) {
                        t.outputStream().write(text.getBytes(StandardCharsets.UTF_8));
                        t.shutdownOutput();
                        return new String(t.inputStream().readAllBytes(), StandardCharsets.UTF_8);
                    }
                }));
            }
            for (int i = 0; i < 10; i++) {
                assertEquals("tunnel " + i, echoes.get(i).get());
            }
            assertEquals(1, client.connectionsMade());
        }
    }

    /** A policy refusal (dev mode: loopback targets only) is the same TunnelRefusedException, with Proxy-Status, on every transport. */
    @ParameterizedTest
    @EnumSource(value = RelayTransport.class, names = {"H3", "H2", "HTTP1_1"})
    void refusalIsTheSameTypedExceptionAsOverHttp3(RelayTransport transport) throws Exception {
        RelayClient.Builder b = transport == RelayTransport.H3 ? relay.client() : client(transport);
        try (RelayClient client = b.build()) {
            TcpTunnel tunnel = client.openTcp("10.0.0.1", 80);
            // Over HTTP/1.1 no byte goes before the answer, so the write itself meets the refusal.
            TunnelRefusedException refused = assertThrows(TunnelRefusedException.class, () -> {
                tunnel.outputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                tunnel.inputStream().read();
            });
            assertEquals(403, refused.status());
            assertEquals("destination_ip_prohibited", refused.proxyError());
            tunnel.close();
            UdpTunnel udp = client.openUdp("10.0.0.1", 53);
            RelayException udpRefused = assertThrows(RelayException.class, udp::awaitEstablished);
            assertInstanceOf(TunnelRefusedException.class, udpRefused);
            assertEquals(403, udpRefused.status());
            udp.close();
            // The refusals did not hurt the connection: a tunnel still goes through.
            try (TcpTunnel ok = client.openTcp("127.0.0.1", tcpEcho.port())) {
                ok.outputStream().write(1);
                ok.shutdownOutput();
                assertEquals(1, ok.inputStream().read());
            }
        }
    }

    /** No trust for the relay's certificate: the same RelayTrustException, naming the problem, over TCP. */
    @ParameterizedTest
    @EnumSource(value = RelayTransport.class, names = {"H2", "HTTP1_1"})
    void untrustedCertificateIsATrustException(RelayTransport transport) throws Exception {
        try (RelayClient client = TestEngine.builder().relay("https://127.0.0.1:" + relay.tcpPort() + "/")
                .transport(transport).build()) {
            RelayTrustException e = assertThrows(RelayTrustException.class, client::connect);
            assertTrue(e.relayCertificateRejected(), e.getMessage());
            assertTrue(e.getMessage().contains("not trusted"), e.getMessage());
        }
    }

    @org.junit.jupiter.api.Test
    void autoUsesHttp3WhenItAnswers() throws Exception {
        try (RelayClient client = relay.client().transport(RelayTransport.AUTO).build()) {
            RelayTransport.Choice choice = client.transportChoice();
            assertEquals("h3", choice.protocol(), choice.toString());
            try (TcpTunnel t = client.openTcp("127.0.0.1", tcpEcho.port())) {
                t.outputStream().write(7);
                t.shutdownOutput();
                assertEquals(7, t.inputStream().read());
            }
        }
    }

    /**
     * A target that does not read holds the writer back (HTTP/2: the stream's flow-control window the relay opens
     * only as it reads; HTTP/1.1: TCP): the writer parks in its write with a bounded amount in flight, and finishes
     * once the target reads. Without backpressure the 64 MiB would be buffered and the write would just end.
     */
    @ParameterizedTest
    @EnumSource(value = RelayTransport.class, names = {"H2", "HTTP1_1"})
    void aTargetThatDoesNotReadHoldsTheWriterBack(RelayTransport transport) throws Exception {
        int total = 64 * 1024 * 1024;
        try (java.net.ServerSocket target = new java.net.ServerSocket(0, 1, LOOPBACK);
             RelayClient client = client(transport).build();
             TcpTunnel tunnel = client.openTcp("127.0.0.1", target.getLocalPort());
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            tunnel.awaitEstablished();
            try (java.net.Socket accepted = target.accept()) {
                java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.atomic.AtomicReference<Thread> writer = new java.util.concurrent.atomic.AtomicReference<>();
                Future<?> writing = pool.submit(() -> {
                    writer.set(Thread.currentThread());
                    byte[] chunk = new byte[64 * 1024];
                    for (int i = 0; i < total; i += chunk.length) {
                        tunnel.outputStream().write(chunk);
                        written.addAndGet(chunk.length);
                    }
                    tunnel.shutdownOutput();
                    return null;
                });
                // Polled, bounded: the writer parked in a write and no byte went for two looks in a row.
                long deadline = System.nanoTime() + 30_000_000_000L;
                long last = -1;
                while (true) {
                    assertTrue(!writing.isDone(), "all 64 MiB went out while the target read nothing: no backpressure");
                    assertTrue(System.nanoTime() < deadline, "the writer neither finished nor parked");
                    Thread t = writer.get();
                    boolean parked = t != null && java.util.Arrays.stream(t.getStackTrace())
                            .anyMatch(f -> f.getMethodName().equals("waitFor"));
                    long now = written.get();
                    if (parked && now == last) {
                        break;
                    }
                    last = now;
                    Thread.sleep(100);
                }
                System.out.println(transport + ": " + last / 1024 + " KiB in flight while the target did not read");
                assertTrue(last < 40L * 1024 * 1024, last + " bytes in flight");
                // And not too little: the relay grants 1 MiB per HTTP/2 stream, and a relay that stopped returning
                // credit early would cap every upload at a window per round trip (once seen at ~128 KiB).
                assertTrue(last >= 1024 * 1024, last / 1024 + " KiB in flight: the relay holds the client back early");
                long read = 0;
                byte[] buffer = new byte[256 * 1024];
                for (int n; (n = accepted.getInputStream().read(buffer)) >= 0; ) {
                    read += n;
                }
                writing.get();
                assertEquals(total, read);
            }
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
