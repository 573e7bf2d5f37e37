package org.masquerelay.engine.kwik;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.engine.ServerEngine;
import org.masquerelay.engine.ServerStream;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.NettyRelay;
import org.masquerelay.testpeers.TestPki;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.UdpPayload;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kwik engine on loopback with a tiny echo handler, on its own (the relay's suites cover it with the relay on
 * top): an independent client (Netty's HTTP/3 codec) checks SETTINGS, classic CONNECT and HTTP Datagrams on their
 * stream, including ones that overtake the request; our Kwik client engine checks the client side and a megabyte
 * each way (flow control and the send-stall workaround, {@link SendKicker}).
 */
class KwikEngineTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final String UDP_PATH = "/.well-known/masque/udp/127.0.0.1/9/";

    private static KeyStore serverIdentity;

    private ServerEngine server;
    private NettyH3Client netty;
    private ClientConnection client;

    @BeforeAll
    static void certificates() throws Exception {
        serverIdentity = new TestPki("test CA").serverIdentity();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close(H3.H3_NO_ERROR, "test over");
        }
        if (netty != null) {
            netty.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private InetSocketAddress startEcho() throws IOException {
        EngineSettings settings = EngineSettings.builder().identity(serverIdentity, "relay", TestPki.PASSWORD).build();
        server = KwikServerEngine.start(new InetSocketAddress("127.0.0.1", 0), settings, connection -> echo());
        return server.localAddress();
    }

    /** CONNECT (classic or extended) → 200 and the DATA echoed; datagrams echoed on their stream; anything else → 404. */
    private static RequestHandler echo() {
        return stream -> {
            stream.receiveDatagrams((buffer, offset, length) -> {
                UdpPayload p = UdpPayload.decode(buffer, offset, length);
                stream.sendDatagram(p.contextId(), p.buffer(), p.offset(), p.length());
            });
            try {
                HttpFields request = stream.requestHeaders();
                if (!"CONNECT".equals(request.getOrNull(":method"))) {
                    stream.respondAndFinish(HttpFields.builder().add(":status", "404").build(), new byte[0]);
                    return;
                }
                HttpFields.Builder response = HttpFields.builder().add(":status", "200");
                if (request.getOrNull(":protocol") != null) {
                    response.add("capsule-protocol", "?1");
                }
                stream.respond(response.build());
                echoBody(stream);
            } catch (IOException e) {
                stream.reset(H3.H3_REQUEST_CANCELLED);
            } finally {
                stream.receiveDatagrams(null);
            }
        };
    }

    private static void echoBody(ServerStream stream) throws IOException {
        InputStream in = stream.body();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) > 0) {
            stream.bodyOut().write(buffer, 0, n);
        }
        stream.finish();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------------------------------ Netty client

    @Test
    void settingsAdvertiseExtendedConnectAndDatagrams() throws IOException {
        netty = NettyH3Client.connect(startEcho(), NettyH3Client.Options.defaults());
        Map<Long, Long> settings = netty.peerSettings(T);
        assertEquals(1L, settings.get(H3.SETTINGS_ENABLE_CONNECT_PROTOCOL), "0x08 " + settings);
        assertEquals(1L, settings.get(H3.SETTINGS_H3_DATAGRAM), "0x33 " + settings);
        assertTrue(netty.peerDatagramsEnabled(), "QUIC DATAGRAM transport parameter");
    }

    @Test
    void classicConnectEchoesWithOptimisticDataAndHalfClose() throws IOException {
        netty = NettyH3Client.connect(startEcho(), NettyH3Client.Options.defaults());
        Tunnel tunnel = netty.openTcp("127.0.0.1:9", Map.of(), bytes("hello"));
        assertEquals(200, tunnel.awaitResponse(T).status());
        assertArrayEquals(bytes("hello"), tunnel.readBytes(5, T));
        tunnel.write(bytes("world"));
        assertArrayEquals(bytes("world"), tunnel.readBytes(5, T));
        tunnel.shutdownOutput();
        assertTrue(tunnel.awaitFin(T), "our FIN follows the client's");
    }

    @Test
    void datagramsTravelOnTheirStreamEvenWhenTheyOvertakeTheRequest() throws IOException {
        netty = NettyH3Client.connect(startEcho(), NettyH3Client.Options.defaults());
        Tunnel a = netty.openUdp("127.0.0.1:443", UDP_PATH, Map.of());
        // Sent before the response, maybe before the HEADERS are read: the engine holds it for the stream.
        a.sendDatagram(0, bytes("early"));
        assertEquals(200, a.awaitResponse(T).status());
        assertArrayEquals(bytes("early"), a.receiveDatagram(T));
        Tunnel b = netty.openUdp("127.0.0.1:443", UDP_PATH, Map.of());
        assertEquals(200, b.awaitResponse(T).status());
        for (int i = 0; i < 3; i++) {
            b.sendDatagram(0, bytes("for b " + i));
            a.sendDatagram(0, bytes("for a " + i));
            assertArrayEquals(bytes("for b " + i), b.receiveDatagram(T), "each stream gets its own");
            assertArrayEquals(bytes("for a " + i), a.receiveDatagram(T));
        }
    }

    // ------------------------------------------------------------------------------------------ our client engine

    private ClientConnection connect(InetSocketAddress relay) throws IOException {
        return new KwikClientEngine().connect(ClientEngineSettings.builder().relay("127.0.0.1", relay.getPort())
                .insecure(true).connectTimeout(T).build());
    }

    /**
     * A handshake that never completes (Kwik's client stalls so about once in 1,000 fresh connections on a loaded
     * machine; here: a path that swallows every packet of the first attempt's socket) no longer fails the connect: a
     * second connection, from a new socket, gets the rest of the connect timeout. Before, a clean-clone CI run failed
     * in RefusalRaceTest with "Connection timed out after 10000 ms".
     */
    @Test
    void aStalledHandshakeIsTriedAgainOnANewConnectionWithinTheConnectTimeout() throws Exception {
        stalledFirstAttempt(b -> b);
    }

    /**
     * The same through sockets the caller supplies, a new one per call (relay-client's first hop always supplies its
     * probed socket): the retry was skipped for every supplied socket, and CliTest failed a clean-clone CI run with
     * "no QUIC answer ... (Connection timed out after 10000 ms)".
     */
    @Test
    void aStalledHandshakeOnASuppliedSocketIsTriedAgainOnTheNextOne() throws Exception {
        stalledFirstAttempt(b -> b.freshSocketEachCall(true).socketSupplier(() -> {
            try {
                return new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            } catch (java.net.SocketException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
    }

    /**
     * A relay that answers a new client with Retry (address validation, RFC 9000 §8.1.2: ours under load, test-peers'
     * NettyRelay always): Kwik failed about one such handshake in 15 at once, in its own code (a NullPointerException
     * when the Retry arrives before it has noted the ClientHello it sent: docs/upstream.md), and the client reported
     * "Handshake error". Every one of these connections must now succeed.
     */
    @Test
    void aRelaysRetryNoLongerFailsTheHandshake() throws Exception {
        X509Certificate[] chain = Arrays.stream(serverIdentity.getCertificateChain("relay"))
                .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        PrivateKey key = (PrivateKey) serverIdentity.getKey("relay", TestPki.PASSWORD);
        try (NettyRelay relay = NettyRelay.start(InetAddress.getLoopbackAddress(), key, T, chain)) {
            ClientEngineSettings settings = ClientEngineSettings.builder()
                    .relay("127.0.0.1", relay.address().getPort()).insecure(true).connectTimeout(T).build();
            for (int i = 0; i < 60; i++) {
                ClientConnection connection = new KwikClientEngine().connect(settings);
                try {
                    assertTrue(connection.isOpen(), "connection " + i + " is open");
                } finally {
                    connection.close(H3.H3_NO_ERROR, "next");
                }
            }
        }
    }

    private void stalledFirstAttempt(java.util.function.UnaryOperator<ClientEngineSettings.Builder> how) throws Exception {
        InetSocketAddress relay = startEcho();
        try (DatagramSocket path = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket toRelay = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            toRelay.connect(relay);
            java.util.concurrent.atomic.AtomicReference<java.net.SocketAddress> first = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicReference<java.net.SocketAddress> second = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicInteger swallowed = new java.util.concurrent.atomic.AtomicInteger();
            Thread up = Thread.ofPlatform().daemon().start(() -> forward(path, p -> {
                first.compareAndSet(null, p.getSocketAddress());
                if (p.getSocketAddress().equals(first.get())) {
                    swallowed.incrementAndGet(); // the first attempt: no answer, ever
                    return;
                }
                second.set(p.getSocketAddress());
                toRelay.send(new DatagramPacket(p.getData(), p.getLength()));
            }));
            Thread down = Thread.ofPlatform().daemon().start(() -> forward(toRelay,
                    p -> path.send(new DatagramPacket(p.getData(), p.getLength(), second.get()))));
            long t0 = System.nanoTime();
            this.client = new KwikClientEngine().connect(how.apply(ClientEngineSettings.builder()
                    .relay("127.0.0.1", path.getLocalPort()).insecure(true).connectTimeout(Duration.ofSeconds(6))).build());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(swallowed.get() > 0, "the first attempt went through the path");
            assertTrue(ms >= 2_900 && ms < 6_000, "connected by the second attempt, within the timeout: " + ms + " ms");
            ClientStream stream = this.client.openRequest(HttpFields.builder().add(":method", "CONNECT")
                    .add(":authority", "127.0.0.1:9").build());
            assertEquals("200", stream.awaitResponse(T).getOrNull(":status"));
            path.close();
            toRelay.close();
            up.join(5_000);
            down.join(5_000);
        }
    }

    private interface PacketAction {
        void accept(DatagramPacket p) throws IOException;
    }

    /** Receives on {@code from} until it closes, handing each datagram on. */
    private static void forward(DatagramSocket from, PacketAction action) {
        byte[] buffer = new byte[2048];
        while (!from.isClosed()) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                from.receive(p);
                action.accept(p);
            } catch (IOException e) {
                return;
            }
        }
    }

    @Test
    void clientEngineCarriesAMegabyteEachWayAndItsStreamsDatagrams() throws Exception {
        client = connect(startEcho());
        assertEquals(1L, client.peerSettings(T.toMillis()).get(H3.SETTINGS_H3_DATAGRAM));
        ClientStream stream = client.openRequest(HttpFields.builder().add(":method", "CONNECT")
                .add(":authority", "127.0.0.1:9").build());
        byte[] data = new byte[1 << 20];
        new Random(6).nextBytes(data);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int off = 0; off < data.length; off += 16 * 1024) {
                    stream.bodyOut().write(data, off, 16 * 1024);
                }
                stream.finish();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        assertEquals("200", stream.awaitResponse(T).getOrNull(":status"));
        byte[] echoed = stream.body().readAllBytes();
        writer.get(30, TimeUnit.SECONDS);
        assertTrue(Arrays.equals(data, echoed), "a megabyte echoed intact (" + echoed.length + " bytes)");

        ClientStream udp = client.openRequest(HttpFields.builder().add(":method", "CONNECT")
                .add(":protocol", "connect-udp").add(":scheme", "https").add(":authority", "127.0.0.1")
                .add(":path", UDP_PATH).add("capsule-protocol", "?1").build());
        assertEquals("200", udp.awaitResponse(T).getOrNull(":status"));
        BlockingQueue<byte[]> received = new ArrayBlockingQueue<>(8);
        udp.receiveDatagrams((buffer, offset, length) -> received.add(Arrays.copyOfRange(buffer, offset, offset + length)));
        assertTrue(udp.maxDatagramPayload() > 1000, "room for a full-size payload: " + udp.maxDatagramPayload());
        assertTrue(udp.sendDatagram(0, bytes("hi"), 0, 2));
        assertArrayEquals(new byte[]{0x00, 'h', 'i'}, received.poll(T.toSeconds(), TimeUnit.SECONDS),
                "context id 0, then the data");
        udp.receiveDatagrams(null);
    }

    @Test
    void aPlainRequestGetsItsAnswerAndTheConnectionStaysUp() throws Exception {
        client = connect(startEcho());
        ClientStream get = client.openRequest(HttpFields.builder().add(":method", "GET").add(":scheme", "https")
                .add(":authority", "127.0.0.1").add(":path", "/").build());
        assertEquals("404", get.awaitResponse(T).getOrNull(":status"));
        ClientStream tunnel = client.openRequest(HttpFields.builder().add(":method", "CONNECT")
                .add(":authority", "127.0.0.1:9").build());
        tunnel.bodyOut().write(bytes("after"));
        assertEquals("200", tunnel.awaitResponse(T).getOrNull(":status"));
        assertArrayEquals(bytes("after"), tunnel.body().readNBytes(5));
        assertTrue(client.isOpen());
    }
}
