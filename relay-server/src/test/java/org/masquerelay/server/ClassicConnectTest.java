package org.masquerelay.server;

import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.TcpSinkServer;
import org.masquerelay.testpeers.TcpSourceServer;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.H3;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.server.RelayFixture.T;

/** Classic HTTP/3 CONNECT (RFC 9114 §4.4) as Apple's client sends it, driven by Netty/quiche. */
class ClassicConnectTest {
    @TempDir
    Path dir;
    RelayFixture relay;
    TcpEchoServer echo4;
    TcpEchoServer echo6;

    @BeforeEach
    void start() throws IOException {
        relay = RelayFixture.start(dir);
        echo4 = new TcpEchoServer(InetAddress.getByName("127.0.0.1"));
        echo6 = new TcpEchoServer(InetAddress.getByName("::1"));
    }

    @AfterEach
    void stop() {
        relay.close();
        echo4.close();
        echo6.close();
    }

    @ParameterizedTest(name = "target {0}")
    @ValueSource(strings = {"localhost", "127.0.0.1", "[::1]"})
    void tunnelsWithOptimisticDataAndHalfClose(String host) {
        int port = host.equals("[::1]") ? echo6.port() : echo4.port();
        NettyH3Client client = relay.client();
        byte[] early = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        // The first bytes go out before the response, as Apple's client sends a TLS ClientHello.
        Tunnel tunnel = client.openTcp(host + ":" + port, Map.of("priority", "i"), early);
        assertEquals(200, tunnel.awaitResponse(T).status());
        assertArrayEquals(early, tunnel.readBytes(early.length, T));

        byte[] more = "more bytes after the 200".getBytes(StandardCharsets.US_ASCII);
        tunnel.write(more);
        assertArrayEquals(more, tunnel.readBytes(more.length, T));

        // Our FIN becomes a TCP half-close; the echo server then closes, which comes back as FIN.
        tunnel.shutdownOutput();
        assertTrue(tunnel.awaitFin(T), "FIN from the relay after the target's half-close");
    }

    @Test
    void targetClosingFirstEndsOnlyItsDirection() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            NettyH3Client client = relay.client();
            Tunnel tunnel = client.openTcp("127.0.0.1:" + target.getLocalPort(), Map.of(), null);
            try (Socket accepted = target.accept()) {
                assertEquals(200, tunnel.awaitResponse(T).status());
                accepted.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
                accepted.shutdownOutput();
                assertArrayEquals("bye".getBytes(StandardCharsets.US_ASCII), tunnel.readToEnd(T));
                // Our direction is still open: the target still receives what we send.
                tunnel.write("late".getBytes(StandardCharsets.US_ASCII));
                tunnel.shutdownOutput();
                InputStream in = accepted.getInputStream();
                assertArrayEquals("late".getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
            }
        }
    }

    @Test
    void upstreamResetBecomesConnectError() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            NettyH3Client client = relay.client();
            Tunnel tunnel = client.openTcp("127.0.0.1:" + target.getLocalPort(), Map.of(), null);
            try (Socket accepted = target.accept()) {
                assertEquals(200, tunnel.awaitResponse(T).status());
                accepted.setSoLinger(true, 0);  // close() now sends RST
            }
            assertEquals(Optional.of(H3.H3_CONNECT_ERROR), tunnel.awaitReset(T));
        }
    }

    @Test
    void largeTransferIsIntact() {
        NettyH3Client client = relay.client();
        Tunnel tunnel = client.openTcp("127.0.0.1:" + echo4.port(), Map.of(), null);
        assertEquals(200, tunnel.awaitResponse(T).status());
        byte[] chunk = new byte[16 * 1024];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31 + 7);
        }
        int chunks = 64;  // 1 MiB through the tunnel and back
        for (int i = 0; i < chunks; i++) {
            tunnel.write(chunk);
            assertArrayEquals(chunk, tunnel.readBytes(chunk.length, T), "chunk " + i);
        }
    }

    /**
     * A target that sends as fast as it can and closes: many reads per wake-up, which the quiche data plane frames
     * together (TcpSplice's batches), then the FIN. Every byte arrives, in order, before the FIN.
     */
    @Test
    void fastTargetsDownloadArrivesWholeBeforeTheFin() throws IOException {
        try (TcpSourceServer source = new TcpSourceServer(InetAddress.getByName("127.0.0.1"), 8L << 20)) {
            NettyH3Client client = relay.client();
            Tunnel tunnel = client.openTcp("127.0.0.1:" + source.port(), Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(T).status());
            byte[] received = tunnel.readToEnd(T.multipliedBy(3));
            assertEquals(source.length(), received.length);
            assertEquals(source.sha256(), TcpSinkServer.sha256Hex(received));
        }
    }
}
