package org.masquerelay.server;

import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.RawH3;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.testpeers.UdpEchoServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.server.RelayFixture.T;
import static org.masquerelay.testpeers.NettyH3Client.header;

/**
 * Connection-level behaviour Apple's client depends on, driven by Netty/quiche: what our SETTINGS say, tolerance of
 * GREASE and PRIORITY_UPDATE, many tunnels and a racing cancellation on one connection, the DATA frame cap, the
 * well-known plain requests, and capsule framing corner cases on connect-udp.
 */
class ConnectionBehaviourTest extends RelayTestBase {
    private static final long H3_EXCESSIVE_LOAD = 0x107;

    private String target() {
        return "127.0.0.1:" + echo.port();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A round trip through a tunnel to the echo server. */
    private static void assertEchoes(Tunnel tunnel, String text) {
        byte[] bytes = ascii(text);
        tunnel.write(bytes);
        assertArrayEquals(bytes, tunnel.readBytes(bytes.length, T), "echo of '" + text + "' on " + tunnel);
    }

    /** A new tunnel on this connection works end to end. */
    private void assertNewTunnelWorks(NettyH3Client client, String text) {
        Tunnel tunnel = client.openTcp(target(), Map.of(), null);
        assertEquals(200, tunnel.awaitResponse(T).status());
        assertEchoes(tunnel, text);
        assertConnectionOpen(client);
    }

    private static void assertConnectionOpen(NettyH3Client client) {
        assertEquals(Optional.empty(), client.connectionClose(), "the connection must not be closed");
        assertTrue(client.isOpen(), "the connection must stay open");
    }

    @Test
    void settingsAreWhatApplesClientChecks() throws IOException {
        NettyH3Client client = client(UnaryOperator.identity());
        List<Map.Entry<Long, Long>> settings = client.peerSettingsList(T);
        assertTrue(settings.contains(Map.entry(0x08L, 1L)), "SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 in " + settings);
        assertTrue(settings.contains(Map.entry(0x33L, 1L)), "SETTINGS_H3_DATAGRAM = 1 in " + settings);
        Set<Long> ids = new HashSet<>();
        for (Map.Entry<Long, Long> setting : settings) {
            long id = setting.getKey();
            assertFalse(id >= 0x2 && id <= 0x5, "HTTP/2-only setting 0x" + Long.toHexString(id) + " in " + settings);
            assertTrue(ids.add(id), "setting 0x" + Long.toHexString(id) + " appears twice in " + settings);
        }
        // The QUIC transport parameter max_datagram_frame_size > 0: quiche enabled the datagram extension.
        assertTrue(client.peerDatagramsEnabled(), "the relay must advertise QUIC DATAGRAM support");
        assertTrue(client.maxDatagramLength() > 0);
        assertEquals(0L, client.peerUniStreamTypes().get(0), "the control stream comes first");
    }

    @Test
    void greaseAndPriorityUpdateAreIgnored() throws IOException {
        relay = RelayFixture.start(dir);
        NettyH3Client client = relay.client(NettyH3Client.Options.defaults().trusting(relay.caCertificate())
                .withExtraSettings(Map.of(RawH3.grease(3), 42L, RawH3.grease(4), 0L)));
        client.openGreaseUniStream();
        ByteArrayOutputStream priority = new ByteArrayOutputStream();
        RawH3.writeVarint(priority, 0);  // prioritized element: request stream 0
        priority.writeBytes(ascii("u=3, i"));
        client.sendControlFrame(RawH3.PRIORITY_UPDATE_REQUEST, priority.toByteArray());
        client.sendControlFrame(RawH3.grease(5), ascii("grease on the control stream"));

        // A GREASE frame before HEADERS: stock Flupke closes the whole connection here.
        Tunnel tunnel = client.openRaw(List.of(header(":method", "CONNECT"), header(":authority", target()),
                header("priority", "i")), List.of(RawH3.frame(RawH3.grease(9), ascii("before headers"))));
        assertEquals(200, tunnel.awaitResponse(T).status());
        assertEchoes(tunnel, "through a greased tunnel");
        client.sendControlFrame(RawH3.PRIORITY_UPDATE_REQUEST, priority.toByteArray());
        assertEchoes(tunnel, "after another PRIORITY_UPDATE");
        assertConnectionOpen(client);
        assertNewTunnelWorks(client, "a second tunnel");
    }

    @Test
    void greaseFrameBetweenDataFramesIsSkipped() throws IOException {
        NettyH3Client client = client(UnaryOperator.identity());
        Tunnel tunnel = client.openTcp(target(), Map.of(), null);
        assertEquals(200, tunnel.awaitResponse(T).status());
        // One write, so the GREASE frame sits exactly between two DATA frames.
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.writeBytes(RawH3.frame(RawH3.DATA, ascii("first half, ")));
        frames.writeBytes(RawH3.frame(RawH3.grease(11), new byte[300]));
        frames.writeBytes(RawH3.frame(RawH3.DATA, ascii("second half")));
        tunnel.writeRawBytes(frames.toByteArray());
        byte[] expected = ascii("first half, second half");
        assertArrayEquals(expected, tunnel.readBytes(expected.length, T));
        assertEchoes(tunnel, "still in sync");
        assertConnectionOpen(client);
    }

    @Test
    void sixtyFourTunnelsAtOnceOnOneConnection() throws IOException {
        NettyH3Client client = client(UnaryOperator.identity());
        int n = 64;
        List<Tunnel> tunnels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tunnels.add(client.openTcp(target(), Map.of("priority", "i"), ascii("hello from tunnel " + i + ";")));
        }
        for (int i = 0; i < n; i++) {
            Tunnel tunnel = tunnels.get(i);
            assertEquals(200, tunnel.awaitResponse(T).status(), "tunnel " + i);
        }
        // Every tunnel gets its own bytes back, not another's.
        for (int i = 0; i < n; i++) {
            byte[] early = ascii("hello from tunnel " + i + ";");
            assertArrayEquals(early, tunnels.get(i).readBytes(early.length, T), "tunnel " + i);
        }
        for (int i = 0; i < n; i++) {
            tunnels.get(i).write(ascii("second round " + i));
        }
        for (int i = 0; i < n; i++) {
            byte[] more = ascii("second round " + i);
            assertArrayEquals(more, tunnels.get(i).readBytes(more.length, T), "tunnel " + i);
        }
        assertEquals(n, echo.connectionsAccepted());
        assertConnectionOpen(client);
    }

    @Test
    void tunnelCancelledRightAfterOpeningAffectsNoOther() throws IOException {
        NettyH3Client client = client(UnaryOperator.identity());
        Tunnel keeper = client.openTcp(target(), Map.of(), null);
        assertEquals(200, keeper.awaitResponse(T).status());
        assertEchoes(keeper, "before the race");

        // As Apple's client does when connect-udp wins the race: RESET_STREAM + STOP_SENDING within a millisecond.
        Tunnel loser = client.openTcp(target(), Map.of("priority", "i"), ascii("ClientHello"));
        loser.cancel();

        assertEchoes(keeper, "after the cancellation");
        assertNewTunnelWorks(client, "a tunnel after the cancellation");
        assertEchoes(keeper, "and still");
    }

    @Test
    void dataFrameOverTheCapResetsOnlyThatStream() throws IOException {
        NettyH3Client client = client(s -> s.engineSettings(e -> e.maxDataFrameSize(1024)));
        Tunnel good = client.openTcp(target(), Map.of(), null);
        assertEquals(200, good.awaitResponse(T).status());
        Tunnel big = client.openTcp(target(), Map.of(), null);
        assertEquals(200, big.awaitResponse(T).status());
        assertEchoes(big, "small frames are fine");

        big.write(new byte[2048]);
        assertEquals(Optional.of(H3_EXCESSIVE_LOAD), big.awaitReset(T), "RESET_STREAM H3_EXCESSIVE_LOAD");

        assertEchoes(good, "the other tunnel is untouched");

        // The same on a connect-udp stream, where DATA frames carry capsules.
        try (UdpEchoServer udpEcho = new UdpEchoServer(InetAddress.getLoopbackAddress())) {
            Tunnel udp = client.openUdp("127.0.0.1:" + relay.address().getPort(),
                    "/.well-known/masque/udp/127.0.0.1/" + udpEcho.port() + "/", Map.of());
            assertEquals(200, udp.awaitResponse(T).status());
            udp.write(RawH3.capsule(RawH3.CAPSULE_DATAGRAM, new byte[2040]));
            assertEquals(Optional.of(H3_EXCESSIVE_LOAD), udp.awaitReset(T), "RESET_STREAM H3_EXCESSIVE_LOAD");
            assertEquals(0, udpEcho.datagramsReceived(), "nothing of the oversized frame is forwarded");
        }
        assertEchoes(good, "the other tunnel is still untouched");
        byte[] exactlyTheCap = new byte[1024];
        Arrays.fill(exactlyTheCap, (byte) 'x');
        good.write(exactlyTheCap);
        assertArrayEquals(exactlyTheCap, good.readBytes(exactlyTheCap.length, T));
        assertNewTunnelWorks(client, "after the oversized frame");
    }

    @Test
    void wellKnownPvdAndOtherPlainRequests() throws IOException {
        NettyH3Client client = client(UnaryOperator.identity());
        String authority = "127.0.0.1:" + relay.address().getPort();
        Tunnel pvd = client.openRaw(List.of(header(":method", "GET"), header(":scheme", "https"),
                header(":authority", authority), header(":path", "/.well-known/pvd")), List.of());
        // No FIN from us: the relay answers on HEADERS alone (and then sends STOP_SENDING, after which quiche
        // never completes a FIN write).
        Tunnel.Response response = pvd.awaitResponse(T);
        assertEquals(200, response.status());
        assertEquals(Optional.of("application/pvd+json"), response.header("content-type"));
        String body = new String(pvd.readToEnd(T), StandardCharsets.UTF_8);
        assertTrue(body.startsWith("{") && body.contains("\"identifier\""), body);

        for (String path : List.of("/", "/index.html", "/.well-known/pvd/extra", "/.well-known/masque/udp/x/1/")) {
            Tunnel other = client.openRaw(List.of(header(":method", "GET"), header(":scheme", "https"),
                    header(":authority", authority), header(":path", path)), List.of());
            assertEquals(404, other.awaitResponse(T).status(), "GET " + path);
            assertTrue(other.awaitFin(T), "the 404 is a complete answer, GET " + path);
        }
        assertNewTunnelWorks(client, "after plain requests");
    }

    @Test
    void capsuleOfLength255AndCapsulesSplitAcrossDataFramesArriveIntact() throws IOException {
        try (UdpEchoServer udpEcho = new UdpEchoServer(InetAddress.getLoopbackAddress())) {
            NettyH3Client client = client(UnaryOperator.identity());
            Tunnel udp = client.openUdp("127.0.0.1:" + relay.address().getPort(),
                    "/.well-known/masque/udp/127.0.0.1/" + udpEcho.port() + "/", Map.of());
            assertEquals(200, udp.awaitResponse(T).status());

            // Length 255: one context-id byte and 254 payload bytes. The length varint is 0x40 0xFF; Flupke's
            // single-byte read() took that 0xFF for the end of the stream.
            byte[] value255 = capsuleValue(254, (byte) 0xFF);
            assertEquals(255, value255.length);
            udp.writeCapsule(RawH3.CAPSULE_DATAGRAM, value255);
            assertEchoedAsCapsule(udp, value255);

            // Split right after the capsule type, then in the middle of the payload.
            byte[] value100 = capsuleValue(99, (byte) 0x5A);
            udp.writeCapsuleSplit(RawH3.CAPSULE_DATAGRAM, value100, 1);
            assertEchoedAsCapsule(udp, value100);
            udp.writeCapsuleSplit(RawH3.CAPSULE_DATAGRAM, value100, 50);
            assertEchoedAsCapsule(udp, value100);

            // Three DATA frames, the first cut inside the two-byte length varint, a GREASE frame in between.
            byte[] value300 = capsuleValue(299, (byte) 0xC3);
            byte[] capsule = RawH3.capsule(RawH3.CAPSULE_DATAGRAM, value300);
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            frames.writeBytes(RawH3.frame(RawH3.DATA, Arrays.copyOfRange(capsule, 0, 2)));
            frames.writeBytes(RawH3.frame(RawH3.grease(13), ascii("skip me")));
            frames.writeBytes(RawH3.frame(RawH3.DATA, Arrays.copyOfRange(capsule, 2, 150)));
            frames.writeBytes(RawH3.frame(RawH3.DATA, Arrays.copyOfRange(capsule, 150, capsule.length)));
            udp.writeRawBytes(frames.toByteArray());
            assertEchoedAsCapsule(udp, value300);

            assertEquals(4, udpEcho.datagramsReceived(), "each capsule became exactly one UDP datagram");
            assertConnectionOpen(client);
        }
    }

    /** A DATAGRAM capsule value: context id 0, then {@code payloadLength} bytes, all of them {@code fill}-ish. */
    private static byte[] capsuleValue(int payloadLength, byte fill) {
        byte[] value = new byte[payloadLength + 1];
        value[0] = 0;  // context id 0: a UDP payload (RFC 9298 §4)
        for (int i = 1; i < value.length; i++) {
            value[i] = i % 7 == 0 ? (byte) i : fill;
        }
        return value;
    }

    /** The target echoed the payload, and the relay sent it back as a capsule because the client used capsules. */
    private static void assertEchoedAsCapsule(Tunnel udp, byte[] value) {
        Tunnel.Capsule echoed = udp.readCapsule(T);
        assertEquals(RawH3.CAPSULE_DATAGRAM, echoed.type());
        assertArrayEquals(value, echoed.value());
    }
}
