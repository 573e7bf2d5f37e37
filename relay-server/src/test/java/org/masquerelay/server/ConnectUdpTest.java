package org.masquerelay.server;

import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.testpeers.UdpEchoServer;
import org.masquerelay.wire.ConnectUdpTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.server.RelayFixture.T;

/** connect-udp (RFC 9298) over QUIC datagrams and over DATAGRAM capsules, driven by Netty/quiche. */
class ConnectUdpTest {
    private static final String OPERATOR_TEMPLATE = "https://localhost/masque/{target_host}/{target_port}/";

    @TempDir
    Path dir;
    RelayFixture relay;
    UdpEchoServer echo;

    @BeforeEach
    void start() throws IOException {
        relay = RelayFixture.start(dir, s -> s.udpTemplates(List.of(ConnectUdpTemplate.parse(OPERATOR_TEMPLATE))));
        echo = new UdpEchoServer(InetAddress.getByName("127.0.0.1"));
    }

    @AfterEach
    void stop() {
        relay.close();
        echo.close();
    }

    private static String defaultPath(String host, int port) {
        return "/.well-known/masque/udp/" + host + "/" + port + "/";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void datagramsBothWaysOnTheDefaultTemplate() {
        NettyH3Client client = relay.client();
        Tunnel tunnel = client.openUdp("localhost", defaultPath("127.0.0.1", echo.port()),
                Map.of("proxy-quic-forwarding", "?1", "priority", "i"));
        Tunnel.Response response = tunnel.awaitResponse(T);
        assertEquals(200, response.status());
        assertEquals("?1", response.header("capsule-protocol").orElse(null));
        // An offer of QUIC-aware forwarding we do not implement must not be accepted by echoing it (RFC 9298 ext).
        assertTrue(response.header("proxy-quic-forwarding").isEmpty());
        java.util.Set<String> earlier = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            byte[] payload = bytes("datagram " + i);
            tunnel.sendDatagram(0, payload);
            byte[] back = tunnel.receiveDatagram(T);
            // UDP may duplicate, and so does Kwik: its loss probes resend DATAGRAM frames (docs/upstream.md). A copy of
            // an earlier datagram is not this one's answer; anything else must be.
            while (earlier.contains(new String(back, java.nio.charset.StandardCharsets.UTF_8))) {
                back = tunnel.receiveDatagram(T);
            }
            assertArrayEquals(payload, back, "payload " + i);
            earlier.add("datagram " + i);
        }
    }

    @Test
    void capsulesWhenTheClientHasNoDatagrams() {
        NettyH3Client client = relay.client(NettyH3Client.Options.defaults().trusting(relay.caCertificate()).withDatagrams(false));
        Tunnel tunnel = client.openUdp("localhost", defaultPath("127.0.0.1", echo.port()), Map.of());
        assertEquals(200, tunnel.awaitResponse(T).status());
        byte[] payload = bytes("over a capsule");
        tunnel.writeCapsule(0x00, contextZero(payload));
        Tunnel.Capsule back = tunnel.readCapsule(T);
        assertEquals(0x00, back.type());
        assertArrayEquals(contextZero(payload), back.value());
    }

    @Test
    void capsuleFromADatagramCapableClientIsAnsweredByCapsule() {
        NettyH3Client client = relay.client();
        Tunnel tunnel = client.openUdp("localhost", defaultPath("127.0.0.1", echo.port()), Map.of());
        assertEquals(200, tunnel.awaitResponse(T).status());
        byte[] payload = bytes("capsule on a datagram connection");
        tunnel.writeCapsule(0x00, contextZero(payload));
        assertArrayEquals(contextZero(payload), tunnel.readCapsule(T).value());
    }

    @Test
    void operatorTemplateWorksBesideTheDefault() {
        NettyH3Client client = relay.client();
        Tunnel tunnel = client.openUdp("localhost", "/masque/127.0.0.1/" + echo.port() + "/", Map.of());
        assertEquals(200, tunnel.awaitResponse(T).status());
        tunnel.sendDatagram(0, bytes("operator"));
        assertArrayEquals(bytes("operator"), tunnel.receiveDatagram(T));
    }

    @Test
    void ipv6TargetInPercentEncodedForm() throws IOException {
        try (UdpEchoServer echo6 = new UdpEchoServer(InetAddress.getByName("::1"))) {
            NettyH3Client client = relay.client();
            Tunnel tunnel = client.openUdp("localhost", defaultPath("%3A%3A1", echo6.port()), Map.of());
            assertEquals(200, tunnel.awaitResponse(T).status());
            tunnel.sendDatagram(0, bytes("v6"));
            assertArrayEquals(bytes("v6"), tunnel.receiveDatagram(T));
        }
    }

    @Test
    void unknownContextIdsAreDroppedAndTheTunnelCarriesOn() {
        NettyH3Client client = relay.client();
        Tunnel tunnel = client.openUdp("localhost", defaultPath("127.0.0.1", echo.port()), Map.of());
        assertEquals(200, tunnel.awaitResponse(T).status());
        tunnel.sendDatagram(7, bytes("not UDP"));
        tunnel.sendDatagram(0, bytes("UDP"));
        assertArrayEquals(bytes("UDP"), tunnel.receiveDatagram(T));
        assertEquals(1, echo.datagramsReceived(), "only the context-0 payload reached the target");
    }

    @Test
    void datagramsSentBeforeTheResponseAreForwarded() {
        NettyH3Client client = relay.client();
        Tunnel tunnel = client.openUdp("localhost", defaultPath("127.0.0.1", echo.port()), Map.of());
        // Like Apple's client with a QUIC Initial: the payload goes out right behind the request.
        tunnel.sendDatagram(0, bytes("early"));
        assertEquals(200, tunnel.awaitResponse(T).status());
        assertArrayEquals(bytes("early"), tunnel.receiveDatagram(T));
    }

    @Test
    void udpFromAnotherSourceThanTheTargetIsDropped() throws Exception {
        try (DatagramSocket target = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Tunnel tunnel = tunnelTo(target);
            SocketAddress relaySide = relaySideOf(target, tunnel);
            stranger.send(new DatagramPacket(bytes("spoof"), 5, relaySide));
            target.send(new DatagramPacket(bytes("genuine"), 7, relaySide));
            assertArrayEquals(bytes("genuine"), tunnel.receiveDatagram(T));
            assertFalse(tunnel.pollDatagram(Duration.ofMillis(300)).isPresent(), "the stranger's datagram must not arrive");
        }
    }

    @Test
    void clientFinClosesTheTunnel() {
        NettyH3Client client = relay.client();
        Tunnel tunnel = client.openUdp("localhost", defaultPath("127.0.0.1", echo.port()), Map.of());
        assertEquals(200, tunnel.awaitResponse(T).status());
        tunnel.shutdownOutput();
        assertTrue(tunnel.awaitFin(T), "the relay ends its side when the client ends the tunnel");
    }

    @Test
    void aPayloadTooBigForAQuicDatagramIsDroppedNotTruncated() throws Exception {
        try (DatagramSocket target = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Tunnel tunnel = tunnelTo(target);
            SocketAddress relaySide = relaySideOf(target, tunnel);
            byte[] big = new byte[1400];  // a QUIC DATAGRAM on this path carries about 1200
            target.send(new DatagramPacket(big, big.length, relaySide));
            target.send(new DatagramPacket(bytes("small"), 5, relaySide));
            assertArrayEquals(bytes("small"), tunnel.receiveDatagram(T), "the next datagram arrives, the big one never");
            assertFalse(tunnel.pollDatagram(Duration.ofMillis(300)).isPresent());
        }
    }

    @Test
    void aFullSizeQuicPacketFitsADatagramTowardsTheClient() throws Exception {
        // Apple's client runs QUIC inside connect-udp: every inner Initial is a 1200-byte UDP payload, which must
        // travel as one HTTP Datagram (1200 + quarter stream id + context id). Regression: the quiche engine once
        // sent 1200-byte QUIC packets only, leaving too little room, and dropped every such payload.
        try (DatagramSocket target = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Tunnel tunnel = tunnelTo(target);
            SocketAddress relaySide = relaySideOf(target, tunnel);
            byte[] initial = new byte[1200];
            for (int i = 0; i < initial.length; i++) {
                initial[i] = (byte) i;
            }
            target.send(new DatagramPacket(initial, initial.length, relaySide));
            assertArrayEquals(initial, tunnel.receiveDatagram(T));
        }
    }

    @Test
    void unknownCapsuleTypesAreIgnored() {
        NettyH3Client client = relay.client(NettyH3Client.Options.defaults().trusting(relay.caCertificate()).withDatagrams(false));
        Tunnel tunnel = client.openUdp("localhost", defaultPath("127.0.0.1", echo.port()), Map.of());
        assertEquals(200, tunnel.awaitResponse(T).status());
        tunnel.writeCapsule(0x17 + 0x29, bytes("a reserved capsule type"));  // RFC 9297 §5.4 GREASE
        tunnel.writeCapsule(0x4242, new byte[300]);
        tunnel.writeCapsule(0x00, contextZero(bytes("after the unknown ones")));
        assertArrayEquals(contextZero(bytes("after the unknown ones")), tunnel.readCapsule(T).value());
    }

    /** A connect-udp tunnel (QUIC datagrams) to a UDP socket the test holds. */
    private Tunnel tunnelTo(DatagramSocket target) {
        Tunnel tunnel = relay.client().openUdp("localhost", defaultPath("127.0.0.1", target.getLocalPort()), Map.of());
        assertEquals(200, tunnel.awaitResponse(T).status());
        return tunnel;
    }

    /** Sends one datagram through the tunnel so the target learns the relay's UDP address, and returns it. */
    private static SocketAddress relaySideOf(DatagramSocket target, Tunnel tunnel) throws IOException {
        tunnel.sendDatagram(0, bytes("hello target"));
        DatagramPacket packet = new DatagramPacket(new byte[100], 100);
        target.setSoTimeout((int) T.toMillis());
        target.receive(packet);
        return packet.getSocketAddress();
    }

    private static byte[] contextZero(byte[] payload) {
        byte[] value = new byte[payload.length + 1];
        System.arraycopy(payload, 0, value, 1, payload.length);
        return value;
    }
}
