package org.masquerelay.engine.quiche;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.HttpConnection;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.TestPki;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.QuicLbConnectionId;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.cid.ConnectionIdInfo;
import tech.kwik.core.impl.QuicClientConnectionImpl;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * QUIC-LB connection IDs read off the wire: a UDP forwarder on loopback between a client and the quiche engine plays
 * the load balancer, parses every packet's header, and collects the connection IDs the server issued (SCIDs of its
 * long headers) and the ones the client addresses it by (DCIDs of short headers and Handshake packets). Every one
 * must carry the server ID, including one the client switches to from NEW_CONNECTION_ID, and with several event loops
 * the connection must survive the client's port changing (the kernel may then pick another loop's socket, and the
 * dispatcher must find the owning loop from the ID).
 */
class RoutableConnectionIdTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final QuicLbConnectionId LB = QuicLbConnectionId.parse("0x0a01", 2);

    private static KeyStore serverIdentity;
    private QuicheServerEngine server;
    private Sniffer sniffer;
    private NettyH3Client netty;

    @BeforeAll
    static void certificates() throws Exception {
        serverIdentity = new TestPki("test CA").serverIdentity();
    }

    @AfterEach
    void stop() {
        if (netty != null) {
            netty.close();
        }
        if (sniffer != null) {
            sniffer.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private InetSocketAddress start(int eventLoops) throws IOException {
        EngineSettings settings = EngineSettings.builder().identity(serverIdentity, "relay", TestPki.PASSWORD)
                .eventLoops(eventLoops).routableIds(LB).build();
        server = QuicheServerEngine.start(new InetSocketAddress("127.0.0.1", 0), settings, RoutableConnectionIdTest::echo);
        sniffer = new Sniffer(server.localAddress());
        return sniffer.front();
    }

    @Test
    void everyIssuedIdCarriesTheServerIdAcrossLoopsAndRebinding() throws Exception {
        InetSocketAddress front = start(2);
        // A connection per round, rebound once: each rebinding is a new 4-tuple the kernel may hand to the other
        // loop's socket. Once per connection because Netty's client offers one spare connection ID and replenishes
        // none, and quiche needs an unused one of the client's for each new path.
        for (int round = 0; round < 3; round++) {
            netty = NettyH3Client.connect(front, NettyH3Client.Options.defaults());
            echoes(netty, "before " + round);
            sniffer.rebind();
            echoes(netty, "after " + round);
            netty.close();
            netty = null;
        }
        assertIdsAreOurs(3);
    }

    private static void echoes(NettyH3Client client, String text) {
        Tunnel tunnel = client.openTcp("127.0.0.1:9", Map.of(), bytes(text));
        assertEquals(200, tunnel.awaitResponse(T).status(), text);
        assertArrayEquals(bytes(text), tunnel.readBytes(text.length(), T), text);
        tunnel.shutdownOutput();
    }

    @Test
    void anIdFromNewConnectionIdCarriesTheServerIdToo() throws Exception {
        InetSocketAddress front = start(1);
        QuicClientConnectionImpl kwik = (QuicClientConnectionImpl) QuicClientConnection.newBuilder()
                .host("127.0.0.1").port(front.getPort()).applicationProtocol("h3").noServerCertificateCheck()
                .connectTimeout(T).build();
        kwik.connect();
        try {
            await(() -> kwik.getDestinationConnectionIds().size() >= 2, "a NEW_CONNECTION_ID from the server");
            for (ConnectionIdInfo id : kwik.getDestinationConnectionIds().values()) {
                assertTrue(LB.isOurs(id.getConnectionId()), hex(id.getConnectionId()));
            }
            byte[] next = kwik.nextDestinationConnectionId();
            QuicStream stream = kwik.createStream(true); // anything, so that packets go out with the new ID
            stream.getOutputStream().write(new byte[] {1, 2});
            await(() -> sniffer.clientDcids.contains(hex(next)), "a short-header packet to the new ID " + hex(next));
            assertIdsAreOurs(2);
        } finally {
            kwik.close();
        }
    }

    private void assertIdsAreOurs(int minimumDistinctDcids) {
        assertFalse(sniffer.serverScids.isEmpty(), "the server's handshake packets were seen");
        for (String scid : sniffer.serverScids) {
            assertTrue(LB.isOurs(HexFormat.of().parseHex(scid)), "server SCID " + scid);
        }
        assertTrue(sniffer.clientDcids.size() >= minimumDistinctDcids, "client DCIDs " + sniffer.clientDcids);
        for (String dcid : sniffer.clientDcids) {
            assertTrue(LB.isOurs(HexFormat.of().parseHex(dcid)), "client DCID " + dcid);
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            LockSupport.parkNanos(5_000_000);
        }
    }

    private static RequestHandler echo(HttpConnection connection) {
        return stream -> {
            try {
                stream.requestHeaders();
                stream.respond(HttpFields.builder().add(":status", "200").build());
                InputStream in = stream.body();
                byte[] buffer = new byte[4096];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    stream.bodyOut().write(buffer, 0, n);
                }
                stream.finish();
            } catch (IOException e) {
                stream.reset(H3.H3_REQUEST_CANCELLED);
            }
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * One client's UDP flow through a socket pair, recording connection IDs; {@link #rebind()} moves the server side
     * to a new source port, as a NAT rebinding does.
     */
    private static final class Sniffer implements AutoCloseable {
        final Set<String> serverScids = ConcurrentHashMap.newKeySet();
        final Set<String> clientDcids = ConcurrentHashMap.newKeySet();
        private final InetSocketAddress server;
        private final DatagramSocket front;
        private volatile DatagramSocket back;
        private volatile InetSocketAddress client;
        private volatile boolean closed;

        Sniffer(InetSocketAddress server) throws SocketException {
            this.server = server;
            this.front = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            this.back = newBack();
            Thread.ofPlatform().daemon().name("sniffer-front").start(this::clientToServer);
        }

        InetSocketAddress front() {
            return (InetSocketAddress) front.getLocalSocketAddress();
        }

        void rebind() throws SocketException {
            DatagramSocket old = back;
            back = newBack();
            old.close(); // its reader ends; late packets to the old port are lost, as behind a real NAT
        }

        private DatagramSocket newBack() throws SocketException {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            Thread.ofPlatform().daemon().name("sniffer-back").start(() -> serverToClient(socket));
            return socket;
        }

        private void clientToServer() {
            byte[] buffer = new byte[65536];
            while (!closed) {
                try {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    front.receive(p);
                    client = (InetSocketAddress) p.getSocketAddress();
                    recordClientPacket(p.getData(), p.getLength());
                    back.send(new DatagramPacket(p.getData(), p.getLength(), server));
                } catch (IOException e) {
                    // the back socket was swapped under us (rebind), or we are closing
                }
            }
        }

        private void serverToClient(DatagramSocket socket) {
            byte[] buffer = new byte[65536];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    socket.receive(p);
                    recordServerPacket(p.getData(), p.getLength());
                    front.send(new DatagramPacket(p.getData(), p.getLength(), client));
                } catch (IOException e) {
                    return;
                }
            }
        }

        /** Long header (RFC 9000 §17.2): flags, version, DCID length + DCID, SCID length + SCID. */
        private void recordServerPacket(byte[] d, int length) {
            if ((d[0] & 0x80) != 0 && length > 7 && !isVersionNegotiation(d)) {
                int dcil = d[5] & 0xFF;
                int scil = d[6 + dcil] & 0xFF;
                serverScids.add(HexFormat.of().formatHex(d, 7 + dcil, 7 + dcil + scil));
            }
        }

        /**
         * Short header (§17.3): the DCID follows the first octet, {@link QuicLbConnectionId#LENGTH} octets here. A
         * Handshake packet also addresses the server by its own ID; an Initial may still carry the client's choice.
         */
        private void recordClientPacket(byte[] d, int length) {
            if ((d[0] & 0x80) == 0) {
                if (length > 1 + QuicLbConnectionId.LENGTH) {
                    clientDcids.add(HexFormat.of().formatHex(d, 1, 1 + QuicLbConnectionId.LENGTH));
                }
            } else if ((d[0] & 0x30) == 0x20 && length > 6 && !isVersionNegotiation(d)) {
                int dcil = d[5] & 0xFF;
                clientDcids.add(HexFormat.of().formatHex(d, 6, 6 + dcil));
            }
        }

        private static boolean isVersionNegotiation(byte[] d) {
            return d[1] == 0 && d[2] == 0 && d[3] == 0 && d[4] == 0;
        }

        @Override
        public void close() {
            closed = true;
            front.close();
            back.close();
        }
    }
}
