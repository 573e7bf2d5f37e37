package org.masquerelay.server.tcp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.UdpEchoServer;
import org.masquerelay.wire.Capsule;
import org.masquerelay.wire.CapsuleReader;
import org.masquerelay.wire.CapsuleType;
import org.masquerelay.wire.CapsuleWriter;
import org.masquerelay.wire.UdpPayload;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over HTTP/2 with Netty's client: connect-udp by extended CONNECT (RFC 8441, RFC 9298) with UDP payloads in DATAGRAM
 * capsules (RFC 9297 §3.5), and a TCP tunnel used interactively (each answer read before the next request, as in a
 * TLS handshake through the tunnel).
 */
class ExtendedConnectTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;
    private TcpRelay relay;
    private NettyH2 client;

    @BeforeEach
    void start() throws Exception {
        relay = TcpRelay.start(dir);
        client = new NettyH2(relay.address(), relay.caCertificate);
    }

    @AfterEach
    void stop() {
        client.close();
        relay.close();
    }

    @Test
    void connectUdpCarriesDatagramCapsules() throws Exception {
        try (UdpEchoServer udp = new UdpEchoServer(LOOPBACK)) {
            NettyH2.Stream tunnel = client.open(NettyH2.connectUdp("127.0.0.1:" + relay.port(),
                    "/.well-known/masque/udp/127.0.0.1/" + udp.port() + "/"));
            assertEquals(200, tunnel.status());
            assertEquals("?1", tunnel.response.get().get("capsule-protocol").toString());
            CapsuleReader reader = new CapsuleReader(tunnel.in, 65_536);
            for (int i = 0; i < 5; i++) {
                byte[] payload = ("datagram " + i).getBytes(StandardCharsets.UTF_8);
                tunnel.write(CapsuleWriter.datagramCapsule(UdpPayload.CONTEXT_UDP, payload, 0, payload.length), false);
                Capsule back = reader.read();
                assertEquals(CapsuleType.DATAGRAM, back.type());
                UdpPayload echoed = UdpPayload.decode(back.value(), 0, back.value().length);
                assertTrue(echoed.isUdp());
                assertEquals("datagram " + i, new String(echoed.buffer(), echoed.offset(), echoed.length(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void unknownProtocolIs501WithProxyStatus() throws Exception {
        NettyH2.Stream stream = client.open(NettyH2.connectUdp("127.0.0.1:" + relay.port(), "/x")
                .set(":protocol", "websocket"));
        assertEquals(501, stream.status());
        assertTrue(stream.response.get().get("proxy-status").toString().startsWith("relay-dev"));
    }

    @Test
    void tcpTunnelAnswersBeforeTheClientEndsItsSide() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer(LOOPBACK)) {
            NettyH2.Stream tunnel = client.open(NettyH2.connect(echo.authority()));
            assertEquals(200, tunnel.status());
            for (int i = 0; i < 5; i++) {
                tunnel.write(("ping " + i).getBytes(StandardCharsets.UTF_8), false);
                assertEquals("ping " + i, new String(tunnel.in.readNBytes(6), StandardCharsets.UTF_8));
            }
        }
    }
}
