package org.masquerelay.testpeers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(30)
class EchoServersTest {
    private static final int SO_TIMEOUT = 10_000;

    private static Socket connect(InetSocketAddress address) throws Exception {
        Socket socket = new Socket();
        socket.connect(address, SO_TIMEOUT);
        socket.setSoTimeout(SO_TIMEOUT);
        return socket;
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void tcpEchoEchoesUntilFinThenHalfCloses(String bind) throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer(InetAddress.getByName(bind));
             Socket socket = connect(echo.address())) {
            socket.getOutputStream().write("hello".getBytes(US_ASCII));
            assertArrayEquals("hello".getBytes(US_ASCII), socket.getInputStream().readNBytes(5));
            socket.shutdownOutput();
            assertEquals(-1, socket.getInputStream().read(), "FIN back after ours");
            assertEquals(1, echo.connectionsAccepted());
            assertEquals(bind.contains(":") ? "[::1]:" + echo.port() : "127.0.0.1:" + echo.port(), echo.authority());
        }
    }

    @Test
    void closeClosesOpenConnections() throws Exception {
        TcpEchoServer echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
        try (Socket socket = connect(echo.address())) {
            socket.getOutputStream().write(1);
            assertEquals(1, socket.getInputStream().read()); // accepted and served
            echo.close();
            try {
                assertEquals(-1, socket.getInputStream().read());
            } catch (SocketException reset) {
                // a reset is an acceptable way to learn the server closed the socket
            }
            assertThrows(Exception.class, () -> connect(echo.address()).close());
        }
    }

    @Test
    void sinkCountsAndHashesWhatItReceives() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(3).nextBytes(data);
        try (TcpSinkServer sink = new TcpSinkServer(InetAddress.getLoopbackAddress());
             Socket socket = connect(sink.address())) {
            socket.getOutputStream().write(data);
            socket.shutdownOutput();
            TcpSinkServer.Received received = sink.awaitReceived(Duration.ofSeconds(10));
            assertNotNull(received);
            assertEquals(data.length, received.bytes());
            assertEquals(TcpSinkServer.sha256Hex(data), received.sha256());
        }
    }

    @Test
    void sourceSendsItsContentThenFin() throws Exception {
        try (TcpSourceServer source = new TcpSourceServer(InetAddress.getLoopbackAddress(), 5_000_000);
             Socket socket = connect(source.address())) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[65536];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sha.update(buffer, 0, n);
                total += n;
            }
            assertEquals(5_000_000, total);
            assertEquals(source.sha256(), HexFormat.of().formatHex(sha.digest()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void udpEchoReturnsEachDatagramToItsSender(String bind) throws Exception {
        InetAddress address = InetAddress.getByName(bind);
        try (UdpEchoServer echo = new UdpEchoServer(address);
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, 0))) {
            socket.setSoTimeout(SO_TIMEOUT);
            for (String text : new String[] {"one", "two"}) {
                byte[] payload = text.getBytes(US_ASCII);
                socket.send(new DatagramPacket(payload, payload.length, echo.address()));
                DatagramPacket reply = new DatagramPacket(new byte[100], 100);
                socket.receive(reply);
                assertEquals(text, new String(reply.getData(), 0, reply.getLength(), US_ASCII));
            }
            assertEquals(2, echo.datagramsReceived());
        }
    }
}
