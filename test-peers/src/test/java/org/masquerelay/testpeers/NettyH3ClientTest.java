package org.masquerelay.testpeers;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.testpeers.NettyH3Client.header;
import static org.masquerelay.testpeers.NettyH3TestServer.poll;

/** Proves {@link NettyH3Client} against a Netty HTTP/3 server (a different code path of the same library). */
@Timeout(60)
class NettyH3ClientTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static TestCertificate certificate;
    private static NettyH3TestServer server;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        certificate = TestCertificate.create(dir, "ip:127.0.0.1,dns:localhost");
        server = new NettyH3TestServer(InetAddress.getByName("127.0.0.1"), true, certificate);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static NettyH3Client connect() {
        return NettyH3Client.connect(server.address(), NettyH3Client.Options.defaults());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(US_ASCII);
    }

    @Test
    void readsThePeersSettingsOffTheWireAndSendsItsOwn() throws Exception {
        server.clientSettings.clear();
        long grease = RawH3.grease(9);
        try (NettyH3Client client = NettyH3Client.connect(server.address(),
                NettyH3Client.Options.defaults().withExtraSettings(Map.of(grease, 42L)))) {
            Map<Long, Long> settings = client.peerSettings(T);
            assertEquals(1L, settings.get(0x08L), "ENABLE_CONNECT_PROTOCOL");
            assertEquals(1L, settings.get(0x33L), "H3_DATAGRAM");
            assertEquals(5L, settings.get(NettyH3TestServer.GREASE_SETTING), "GREASE setting kept as sent");
            for (long http2Only = 0x2; http2Only <= 0x5; http2Only++) {
                assertFalse(settings.containsKey(http2Only), "HTTP/2-only id " + http2Only);
            }
            assertEquals(settings.size(), client.peerSettingsList(T).size(), "no duplicates");
            assertTrue(client.peerDatagramsEnabled());
            assertTrue(client.maxDatagramLength() > 1000, "max datagram " + client.maxDatagramLength());
            assertTrue(client.peerUniStreamTypes().contains(0L), "control stream seen: " + client.peerUniStreamTypes());

            Map<Long, Long> mine = poll(server.clientSettings, T);
            assertNotNull(mine, "server got our SETTINGS");
            assertEquals(1L, mine.get(0x33L));
            assertEquals(42L, mine.get(grease));
        }
    }

    @Test
    void classicConnectSendsOnlyMethodAndAuthorityAndEchoesOptimisticData() throws Exception {
        server.requests.clear();
        try (NettyH3Client client = connect()) {
            Tunnel tunnel = client.openTcp("echo.test:443",
                    Map.of("priority", "i", "Authorization", "Bearer abc"), ascii("early"));
            assertEquals(200, tunnel.awaitResponse(T).status());
            assertArrayEquals(ascii("early"), tunnel.readBytes(5, T));
            tunnel.write(ascii("hello"));
            tunnel.write(ascii(" world"));
            assertEquals("hello world", new String(tunnel.readBytes(11, T), US_ASCII));
            tunnel.shutdownOutput();
            assertTrue(tunnel.awaitFin(T));
            assertEquals(0, tunnel.readToEnd(T).length);

            NettyH3TestServer.Request request = poll(server.requests, T);
            assertEquals(tunnel.streamId(), request.streamId());
            assertEquals("CONNECT", request.get(":method"));
            assertEquals("echo.test:443", request.get(":authority"));
            assertFalse(request.has(":scheme") || request.has(":path") || request.has(":protocol"), request.toString());
            assertEquals("i", request.get("priority"));
            assertEquals("Bearer abc", request.get("authorization"));
        }
    }

    @Test
    void connectUdpCarriesDatagramsAndCapsules() throws Exception {
        server.requests.clear();
        try (NettyH3Client client = connect()) {
            Tunnel tunnel = client.openUdp("relay.test:443", "/.well-known/masque/udp/127.0.0.1/53/",
                    Map.of("priority", "i"));
            Tunnel.Response response = tunnel.awaitResponse(T);
            assertEquals(200, response.status());
            assertEquals("?1", response.header("capsule-protocol").orElseThrow());

            NettyH3TestServer.Request request = poll(server.requests, T);
            assertEquals("connect-udp", request.get(":protocol"));
            assertEquals("https", request.get(":scheme"));
            assertEquals("/.well-known/masque/udp/127.0.0.1/53/", request.get(":path"));
            assertEquals("?1", request.get("capsule-protocol"));

            // A datagram with another context id is not for the UDP payload; the context-0 one behind it is.
            tunnel.sendDatagram(5, ascii("not udp"));
            tunnel.sendDatagram(0, ascii("ping"));
            assertArrayEquals(ascii("ping"), tunnel.receiveDatagram(T));
            assertEquals(1, tunnel.datagramsWithOtherContext());

            byte[] value = new byte[300]; // 2-byte length varint
            new Random(1).nextBytes(value);
            tunnel.writeCapsule(RawH3.grease(2), value);
            Tunnel.Capsule echoed = tunnel.readCapsule(T);
            assertEquals(RawH3.grease(2), echoed.type());
            assertArrayEquals(value, echoed.value());

            // Split inside the length varint: the echo comes back as two DATA frames too.
            tunnel.writeCapsuleSplit(RawH3.CAPSULE_DATAGRAM, ascii("\0split"), 2);
            Tunnel.Capsule split = tunnel.readCapsule(T);
            assertEquals(RawH3.CAPSULE_DATAGRAM, split.type());
            assertArrayEquals(ascii("\0split"), split.value());
        }
    }

    @Test
    void datagramsGoToTheirOwnTunnel() {
        try (NettyH3Client client = connect()) {
            Tunnel a = client.openUdp("relay.test:443", "/.well-known/masque/udp/127.0.0.1/1/", Map.of());
            Tunnel b = client.openUdp("relay.test:443", "/.well-known/masque/udp/127.0.0.1/2/", Map.of());
            assertEquals(200, a.awaitResponse(T).status());
            assertEquals(200, b.awaitResponse(T).status());
            b.sendDatagram(0, ascii("for b"));
            a.sendDatagram(0, ascii("for a"));
            assertArrayEquals(ascii("for a"), a.receiveDatagram(T));
            assertArrayEquals(ascii("for b"), b.receiveDatagram(T));
            assertEquals(0, client.unroutedDatagrams());
        }
    }

    @Test
    void rawHeadersAndFramesBeforeThemAreSentAsGiven() throws Exception {
        server.requests.clear();
        server.unknownRequestFrameTypes.clear();
        try (NettyH3Client client = connect()) {
            long grease = RawH3.grease(1);
            Tunnel tunnel = client.openRaw(
                    List.of(header(":method", "CONNECT"), header(":authority", "raw.test:80"), header("x-a", "1")),
                    List.of(RawH3.frame(grease, ascii("before headers"))));
            assertEquals(200, tunnel.awaitResponse(T).status());
            assertEquals(grease, poll(server.unknownRequestFrameTypes, T));
            assertEquals("1", poll(server.requests, T).get("x-a"));

            tunnel.writeRawFrame(RawH3.grease(4), ascii("between data"));
            tunnel.write(ascii("still fine"));
            assertArrayEquals(ascii("still fine"), tunnel.readBytes(10, T));
            assertEquals(RawH3.grease(4), poll(server.unknownRequestFrameTypes, T));
        }
    }

    @Test
    void malformedHeaderListReachesThePeerAndItsResetIsReported() throws Exception {
        try (NettyH3Client client = connect()) {
            // Upper-case field names are malformed in HTTP/3 (RFC 9114 §4.2); Netty's own encoder would refuse them.
            Tunnel tunnel = client.openRaw(List.of(header(":method", "CONNECT"),
                    header(":authority", "bad.test:80"), header("X-Upper", "1")), List.of());
            var failure = assertThrows(PeerException.class, () -> tunnel.awaitResponse(T));
            assertEquals(PeerException.Kind.RESET, failure.kind(), failure.toString());
            assertEquals(0x10eL, failure.code().orElseThrow(), "H3_MESSAGE_ERROR");
            assertEquals(0x10eL, tunnel.awaitReset(T).orElseThrow());
            assertTrue(client.isOpen(), "a stream error leaves the connection up");
        }
    }

    @Test
    void peerResetAndOwnCancelCarryErrorCodes() throws Exception {
        server.resetsReceived.clear();
        try (NettyH3Client client = connect()) {
            Tunnel reset = client.openTcp("reset.test:267", Map.of(), null);
            assertEquals(267L, reset.awaitReset(T).orElseThrow());
            var failure = assertThrows(PeerException.class, () -> reset.readBytes(1, T));
            assertEquals(PeerException.Kind.RESET, failure.kind());

            Tunnel cancelled = client.openTcp("echo.test:443", Map.of(), null);
            assertEquals(200, cancelled.awaitResponse(T).status());
            cancelled.cancel();
            assertEquals(RawH3.H3_REQUEST_CANCELLED, poll(server.resetsReceived, T));
        }
    }

    @Test
    void finFromThePeerEndsTheByteStream() {
        try (NettyH3Client client = connect()) {
            Tunnel tunnel = client.openTcp("fin.test:1", Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(T).status());
            assertEquals("bye", new String(tunnel.readToEnd(T), US_ASCII));
            assertTrue(tunnel.awaitFin(T));
            assertEquals(PeerException.Kind.EOF, assertThrows(PeerException.class, () -> tunnel.readBytes(1, T)).kind());

            Tunnel refused = client.openTcp("status.test:502", Map.of(), null);
            Tunnel.Response response = refused.awaitResponse(T);
            assertEquals(502, response.status());
            assertFalse(response.isSuccess());
            assertEquals("test; error=destination_unavailable", response.header("Proxy-Status").orElseThrow());
            assertTrue(refused.awaitFin(T));
        }
    }

    @Test
    void controlFramesAndGreaseStreamsDoNotDisturbTheConnection() throws Exception {
        server.unknownControlFrameTypes.clear();
        server.unknownStreamTypes.clear();
        try (NettyH3Client client = connect()) {
            client.sendControlFrame(RawH3.grease(6), ascii("grease"));
            // PRIORITY_UPDATE for request stream 0: Netty's server skips it; it must not break anything.
            byte[] priority = RawH3.varint(0);
            client.sendControlFrame(RawH3.PRIORITY_UPDATE_REQUEST,
                    concat(priority, "u=1, i".getBytes(StandardCharsets.US_ASCII)));
            client.openGreaseUniStream();

            assertEquals(RawH3.grease(6), poll(server.unknownControlFrameTypes, T));
            assertEquals(RawH3.grease(7), poll(server.unknownStreamTypes, T));
            Tunnel tunnel = client.openTcp("echo.test:443", Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(T).status());
            assertTrue(client.isOpen());
        }
    }

    @Test
    void largeEchoIsReadBackIntact() {
        byte[] data = new byte[4 << 20];
        new Random(7).nextBytes(data);
        try (NettyH3Client client = connect()) {
            Tunnel tunnel = client.openTcp("echo.test:443", Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(T).status());
            for (int off = 0; off < data.length; off += 64 * 1024) {
                tunnel.write(java.util.Arrays.copyOfRange(data, off, off + 64 * 1024));
            }
            tunnel.shutdownOutput();
            assertArrayEquals(data, tunnel.readToEnd(T));
        }
    }

    @Test
    void trustsAGivenCertificateAndChecksTheHostName() throws Exception {
        try (NettyH3Client client = NettyH3Client.connect(server.address(),
                NettyH3Client.Options.defaults().trusting(server.certificatePem()))) {
            assertTrue(client.isOpen());
        }
        var noTrust = new NettyH3Client.Options(false, null, true, Map.of(), Duration.ofSeconds(5), null);
        var untrusted = assertThrows(PeerException.class, () -> NettyH3Client.connect(server.address(), noTrust));
        assertEquals(PeerException.Kind.FAILED, untrusted.kind(), untrusted.toString());

        // Same certificate, but its SAN has 127.0.0.1 and not ::1.
        try (NettyH3TestServer v6 = new NettyH3TestServer(InetAddress.getByName("::1"), true, certificate)) {
            var wrongHost = assertThrows(PeerException.class, () -> NettyH3Client.connect(v6.address(),
                    NettyH3Client.Options.defaults().trusting(v6.certificatePem())));
            assertEquals(PeerException.Kind.FAILED, wrongHost.kind(), wrongHost.toString());
        }
    }

    @Test
    void withoutDatagramsOnTheServerNoneAreAdvertised() throws Exception {
        try (NettyH3TestServer plain = new NettyH3TestServer(InetAddress.getByName("::1"), false, certificate);
             NettyH3Client client = NettyH3Client.connect(plain.address(), NettyH3Client.Options.defaults())) {
            assertFalse(client.peerDatagramsEnabled());
            assertNotEquals(1L, client.peerSettings(T).get(0x33L), "H3_DATAGRAM not enabled");
            Tunnel tunnel = client.openTcp("[::1]:443", Map.of(), null); // and IPv6 works
            assertEquals(200, tunnel.awaitResponse(T).status());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
