package org.masquerelay.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.testpeers.TcpEchoServer;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Two of our relays on loopback, the second reached through a connect-udp tunnel of the first. */
@Timeout(60)
class ChainTest {

    @Test
    void tcpThroughTwoRelays(@TempDir Path state) throws Exception {
        TestEngine.assumeSuppliedSockets();
        try (TestRelay first = TestRelay.start(state); TestRelay second = TestRelay.start(state); // one dev CA for both
             TcpEchoServer echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
             RelayClient client = TestEngine.builder().relay(first.url()).relay(second.url()).trustCaFile(first.ca).build();
             TcpTunnel tunnel = client.openTcp("127.0.0.1", echo.port())) {
            byte[] data = "two hops".repeat(5000).getBytes(StandardCharsets.UTF_8);
            tunnel.outputStream().write(data);
            tunnel.shutdownOutput();
            assertArrayEquals(data, tunnel.inputStream().readAllBytes());
            assertEquals(2, client.relays().size());
        }
    }

    /** Hop 1 over HTTP/2 (it has no UDP listener at all); hop 2's QUIC rides in DATAGRAM capsules on an HTTP/2 stream. */
    @Test
    void firstHopOverHttp2(@TempDir Path state) throws Exception {
        TestEngine.assumeSuppliedSockets();
        try (TestRelay first = TestRelay.startWithTcp(state, false); TestRelay second = TestRelay.start(state);
             TcpEchoServer echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
             RelayClient client = TestEngine.builder().relay(first.url()).relay(second.url()).trustCaFile(first.ca)
                     .transport(RelayTransport.H2).build();
             TcpTunnel tunnel = client.openTcp("127.0.0.1", echo.port())) {
            byte[] data = "h2 then h3".repeat(5000).getBytes(StandardCharsets.UTF_8);
            tunnel.outputStream().write(data);
            tunnel.shutdownOutput();
            assertArrayEquals(data, tunnel.inputStream().readAllBytes());
            assertEquals("h2", client.transportChoice().protocol());
        }
    }

    @Test
    void theSecondHopIsReachedThroughTheFirst(@TempDir Path state) throws Exception {
        TestEngine.assumeSuppliedSockets();
        // The first relay demands a credential we do not send: if hop 2 really goes through hop 1, that refusal is
        // what the chain reports (a direct connection to hop 2 would have worked).
        try (TestRelay first = TestRelay.start(state, true, 0); TestRelay second = TestRelay.start(state);
             RelayClient client = TestEngine.builder().relay(first.url()).relay(second.url()).trustCaFile(first.ca)
                     .connectTimeout(Duration.ofSeconds(5)).build()) {
            AuthenticationException e = assertThrows(AuthenticationException.class, () -> client.openTcp("127.0.0.1", 9));
            assertEquals(401, e.status());
        }
    }
}
