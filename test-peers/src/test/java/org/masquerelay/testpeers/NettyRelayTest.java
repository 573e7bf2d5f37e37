package org.masquerelay.testpeers;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NettyRelay} carries TCP and UDP for {@link NettyH3Client}, with datagrams and with capsules. */
@Timeout(60)
class NettyRelayTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static NettyRelay relay;
    private static TestCertificate certificate;
    private static TcpEchoServer tcpEcho;
    private static UdpEchoServer udpEcho;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        certificate = TestCertificate.create(dir, "ip:127.0.0.1,dns:localhost");
        relay = NettyRelay.start(LO, certificate.key(), Duration.ofSeconds(5), certificate.certificate());
        tcpEcho = new TcpEchoServer(LO);
        udpEcho = new UdpEchoServer(LO);
    }

    @AfterAll
    static void stop() {
        relay.close();
        tcpEcho.close();
        udpEcho.close();
    }

    private static NettyH3Client connect(boolean datagrams) {
        return NettyH3Client.connect(relay.address(),
                NettyH3Client.Options.defaults().trusting(certificate.pem()).withDatagrams(datagrams));
    }

    private static String udpPath() {
        return "/.well-known/masque/udp/127.0.0.1/" + udpEcho.address().getPort() + "/";
    }

    @Test
    void announcesExtendedConnectAndDatagrams() {
        try (NettyH3Client client = connect(true)) {
            Map<Long, Long> settings = client.peerSettings(T);
            assertEquals(1L, settings.get(0x08L));
            assertEquals(1L, settings.get(0x33L));
            assertTrue(client.peerDatagramsEnabled());
        }
    }

    @Test
    void tcpEchoWithOptimisticDataAndHalfClose() {
        try (NettyH3Client client = connect(true)) {
            Tunnel t = client.openTcp(tcpEcho.authority(), Map.of(), "early".getBytes(US_ASCII));
            assertEquals(200, t.awaitResponse(T).status());
            t.write("late".getBytes(US_ASCII));
            t.shutdownOutput();
            assertArrayEquals("earlylate".getBytes(US_ASCII), t.readToEnd(T)); // the target's FIN came back
        }
    }

    @Test
    void udpEchoOverQuicDatagrams() {
        try (NettyH3Client client = connect(true)) {
            Tunnel t = client.openUdp("127.0.0.1:" + relay.address().getPort(), udpPath(), Map.of());
            Tunnel.Response r = t.awaitResponse(T);
            assertEquals(200, r.status());
            assertEquals("?1", r.header("capsule-protocol").orElse(null));
            t.sendDatagram(0, "ping".getBytes(US_ASCII));
            assertArrayEquals("ping".getBytes(US_ASCII), t.receiveDatagram(T));
        }
    }

    @Test
    void udpEchoOverCapsulesWithoutQuicDatagrams() {
        try (NettyH3Client client = connect(false)) {
            Tunnel t = client.openUdp("127.0.0.1:" + relay.address().getPort(), udpPath(), Map.of());
            assertEquals(200, t.awaitResponse(T).status());
            t.writeCapsuleSplit(0x00, "\0pong".getBytes(US_ASCII), 2); // context id 0, then the payload
            Tunnel.Capsule c = t.readCapsule(T);
            assertEquals(0x00, c.type());
            assertArrayEquals("\0pong".getBytes(US_ASCII), c.value());
        }
    }

    @Test
    void refusesNonLoopbackTargetsAndClosedPorts() {
        try (NettyH3Client client = connect(true)) {
            Tunnel.Response r = client.openTcp("192.0.2.1:443", Map.of(), null).awaitResponse(T);
            assertEquals(403, r.status());
            assertTrue(r.header("proxy-status").orElse("").contains("destination_ip_prohibited"));
        }
    }
}
