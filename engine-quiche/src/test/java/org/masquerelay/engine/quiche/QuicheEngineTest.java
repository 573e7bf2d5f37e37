package org.masquerelay.engine.quiche;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.engine.HttpConnection;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.engine.ServerStream;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.RawH3;
import org.masquerelay.testpeers.TestPki;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.UdpPayload;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quiche engine on loopback with a tiny echo handler: an independent client (Netty's HTTP/3 codec) checks
 * SETTINGS, classic CONNECT, GREASE, cancellation and datagrams; our own quiche client engine checks the client side,
 * a larger transfer (flow control both ways) and mutual TLS.
 */
class QuicheEngineTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final String UDP_PATH = "/.well-known/masque/udp/127.0.0.1/9/";

    private static TestPki pki;
    private static KeyStore serverIdentity;

    private QuicheServerEngine server;
    private NettyH3Client netty;
    private ClientConnection client;

    @BeforeAll
    static void certificates() throws Exception {
        pki = new TestPki("test CA");
        serverIdentity = pki.serverIdentity();
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

    private static EngineSettings settings() {
        return EngineSettings.builder().identity(serverIdentity, "relay", TestPki.PASSWORD).maxConnections(100).build();
    }

    private InetSocketAddress startEcho(EngineSettings settings) throws IOException {
        server = QuicheServerEngine.start(new InetSocketAddress("127.0.0.1", 0), settings, QuicheEngineTest::echo);
        return server.localAddress();
    }

    /** CONNECT (classic or extended) → 200 and the DATA echoed; datagrams echoed on their stream; anything else → 404. */
    private static RequestHandler echo(HttpConnection connection) {
        return stream -> {
            stream.receiveDatagrams((buffer, offset, length) -> {
                UdpPayload p = UdpPayload.decode(buffer, offset, length);
                stream.sendDatagram(p.contextId(), p.buffer(), p.offset(), p.length());
            });
            try {
                HttpFields request = stream.requestHeaders();
                if (!"CONNECT".equals(request.getOrNull(":method"))) {
                    stream.respond(HttpFields.builder().add(":status", "404").build());
                    stream.finish();
                    return;
                }
                HttpFields.Builder response = HttpFields.builder().add(":status", "200");
                connection.peerCertificate().ifPresent(c -> response.add("x-client", c.getSubjectX500Principal().getName()));
                if (request.getOrNull(":protocol") != null) {
                    response.add("capsule-protocol", "?1");
                }
                stream.respond(response.build());
                echoBody(stream);
            } catch (IOException e) {
                stream.reset(H3.H3_REQUEST_CANCELLED);
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

    // ------------------------------------------------------------------------------------------ Netty client

    @Test
    void settingsAndDatagramsAreAdvertised() throws IOException {
        netty = NettyH3Client.connect(startEcho(settings()), NettyH3Client.Options.defaults());
        Map<Long, Long> settings = netty.peerSettings(T);
        assertEquals(1L, settings.get(H3.SETTINGS_ENABLE_CONNECT_PROTOCOL), "0x08 " + settings);
        assertEquals(1L, settings.get(H3.SETTINGS_H3_DATAGRAM), "0x33 " + settings);
        assertTrue(netty.peerDatagramsEnabled(), "QUIC DATAGRAM transport parameter");
        assertEquals(List.of(0L), netty.peerUniStreamTypes(), "one control stream, no QPACK streams needed");
    }

    @Test
    void classicConnectEchoesWithOptimisticDataAndHalfClose() throws IOException {
        netty = NettyH3Client.connect(startEcho(settings()), NettyH3Client.Options.defaults());
        Tunnel tunnel = netty.openTcp("127.0.0.1:9", Map.of(), bytes("hello"));
        assertEquals(200, tunnel.awaitResponse(T).status());
        assertArrayEquals(bytes("hello"), tunnel.readBytes(5, T));
        tunnel.write(bytes("world"));
        assertArrayEquals(bytes("world"), tunnel.readBytes(5, T));
        tunnel.shutdownOutput();
        assertTrue(tunnel.awaitFin(T), "our FIN follows the client's");
    }

    @Test
    void greaseIsIgnoredAndACancelledStreamAffectsNoOther() throws IOException {
        netty = NettyH3Client.connect(startEcho(settings()), NettyH3Client.Options.defaults());
        netty.sendControlFrame(RawH3.grease(5), bytes("grease"));
        netty.openGreaseUniStream();
        Tunnel greased = netty.openRaw(List.of(NettyH3Client.header(":method", "CONNECT"),
                NettyH3Client.header(":authority", "127.0.0.1:9")), List.of(RawH3.frame(RawH3.grease(2), bytes("x"))));
        assertEquals(200, greased.awaitResponse(T).status(), "a reserved frame before HEADERS is skipped");
        greased.writeRawFrame(RawH3.grease(9), bytes("between"));
        greased.write(bytes("ping"));
        assertArrayEquals(bytes("ping"), greased.readBytes(4, T));

        Tunnel cancelled = netty.openTcp("127.0.0.1:9", Map.of(), null);
        cancelled.cancel();
        Tunnel next = netty.openTcp("127.0.0.1:9", Map.of(), bytes("after"));
        assertEquals(200, next.awaitResponse(T).status());
        assertArrayEquals(bytes("after"), next.readBytes(5, T));
        greased.write(bytes("still"));
        assertArrayEquals(bytes("still"), greased.readBytes(5, T));
        assertTrue(netty.isOpen());
    }

    @Test
    void finishedAndCancelledStreamsGiveTheirStreamCreditBack() throws IOException {
        // The server allows 100 concurrent request streams: 120 in a row only work if each one's credit comes back,
        // whether it ended with FIN both ways or with resets.
        netty = NettyH3Client.connect(startEcho(settings()), NettyH3Client.Options.defaults());
        for (int i = 0; i < 120; i++) {
            Tunnel tunnel = netty.openTcp("127.0.0.1:9", Map.of(), bytes("x"));
            assertEquals(200, tunnel.awaitResponse(T).status(), "tunnel " + i);
            assertArrayEquals(bytes("x"), tunnel.readBytes(1, T));
            if (i % 2 == 0) {
                tunnel.shutdownOutput();
                assertTrue(tunnel.awaitFin(T), "tunnel " + i);
            } else {
                tunnel.cancel();
            }
        }
    }

    @Test
    void datagramsBothWays() throws IOException {
        netty = NettyH3Client.connect(startEcho(settings()), NettyH3Client.Options.defaults());
        Tunnel udp = netty.openUdp("127.0.0.1:443", UDP_PATH, Map.of());
        assertEquals(200, udp.awaitResponse(T).status());
        for (int i = 0; i < 3; i++) {
            byte[] payload = bytes("datagram " + i);
            udp.sendDatagram(0, payload);
            assertArrayEquals(payload, udp.receiveDatagram(T));
        }
    }

    // ------------------------------------------------------------------------------------------ our client engine

    private ClientConnection connect(InetSocketAddress relay, KeyStore identity) throws IOException {
        ClientEngineSettings settings = ClientEngineSettings.builder().relay("127.0.0.1", relay.getPort()).insecure(true)
                .connectTimeout(T).clientIdentity(identity, TestPki.PASSWORD).build();
        return new QuicheClientEngine().connect(settings);
    }

    private static HttpFields connectRequest() {
        return HttpFields.builder().add(":method", "CONNECT").add(":authority", "127.0.0.1:9").build();
    }

    @Test
    void clientEngineCarriesAMegabyteEachWayAndDatagrams() throws Exception {
        client = connect(startEcho(settings()), null);
        assertEquals(1L, client.peerSettings(T.toMillis()).get(H3.SETTINGS_H3_DATAGRAM));
        ClientStream stream = client.openRequest(connectRequest());
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
        writer.get(10, TimeUnit.SECONDS);
        assertEquals(data.length, echoed.length);
        assertTrue(Arrays.equals(data, echoed), "echoed intact");

        BlockingQueue<byte[]> received = new ArrayBlockingQueue<>(8);
        stream.receiveDatagrams((buffer, offset, length) -> received.add(Arrays.copyOfRange(buffer, offset, offset + length)));
        assertTrue(client.datagramsEnabled());
        assertTrue(stream.sendDatagram(0, new byte[]{'h', 'i'}, 0, 2));
        assertArrayEquals(new byte[]{0x00, 'h', 'i'}, received.poll(10, TimeUnit.SECONDS), "context id 0, then the data");
    }

    @Test
    void mutualTlsAcceptsAClientOfTheConfiguredCa() throws Exception {
        InetSocketAddress relay = startEcho(settings().newBuilder().clientCaCertificates(List.of(pki.ca)).build());
        client = connect(relay, pki.clientIdentity("alice"));
        ClientStream stream = client.openRequest(connectRequest());
        HttpFields response = stream.awaitResponse(T);
        assertEquals("200", response.getOrNull(":status"));
        assertEquals("CN=alice", response.getOrNull("x-client"), "the relay sees the verified client certificate");
    }

    @Test
    void mutualTlsWithTheKwikClientEngine() throws Exception {
        InetSocketAddress relay = startEcho(settings().newBuilder().clientCaCertificates(List.of(pki.ca)).build());
        client = new org.masquerelay.engine.kwik.KwikClientEngine().connect(ClientEngineSettings.builder().relay("127.0.0.1", relay.getPort())
                .insecure(true).connectTimeout(T).clientIdentity(pki.clientIdentity("bob"), TestPki.PASSWORD).build());
        ClientStream stream = client.openRequest(connectRequest());
        assertEquals("CN=bob", stream.awaitResponse(T).getOrNull("x-client"));
        stream.bodyOut().write(bytes("kwik"));
        assertArrayEquals(bytes("kwik"), stream.body().readNBytes(4));
    }

    @Test
    void mutualTlsRefusesOtherClientsWithATlsAlert() throws Exception {
        InetSocketAddress relay = startEcho(settings().newBuilder().clientCaCertificates(List.of(pki.ca)).build());
        KeyStore stranger = new TestPki("another CA").clientIdentity("mallory");
        IOException refused = assertThrows(IOException.class, () -> connect(relay, stranger));
        assertTrue(refused.getMessage().contains("TLS alert"), refused.getMessage());

        // Without any certificate, the client's handshake completes (TLS 1.3) and the relay's alert closes it.
        client = connect(relay, null);
        CompletableFuture<String> closed = new CompletableFuture<>();
        client.onClose(closed::complete);
        String reason = closed.get(10, TimeUnit.SECONDS);
        assertTrue(reason.contains("TLS alert"), reason);
        assertNotNull(client);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
