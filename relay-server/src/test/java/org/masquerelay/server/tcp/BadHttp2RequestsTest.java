package org.masquerelay.server.tcp;

import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.testpeers.TcpEchoServer;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad requests over HTTP/2 get the answers they get over HTTP/3 (400, 431, 501 with Proxy-Status) on their own
 * stream, and the connection goes on carrying tunnels.
 */
class BadHttp2RequestsTest {
    @TempDir
    Path dir;
    private TcpRelay relay;
    private NettyH2 client;
    private TcpEchoServer echo;

    @BeforeEach
    void start() throws Exception {
        relay = TcpRelay.start(dir);
        client = new NettyH2(relay.address(), relay.caCertificate);
        echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() {
        client.close();
        relay.close();
        echo.close();
    }

    private void assertAnswer(Http2Headers request, int status) throws Exception {
        NettyH2.Stream stream = client.open(request);
        assertEquals(status, stream.status(), request.toString());
        assertTrue(stream.response.get().get("proxy-status").toString().startsWith("relay-dev"), request.toString());
    }

    @Test
    void badRequestsAreAnsweredAndTheConnectionCarriesOn() throws Exception {
        assertAnswer(NettyH2.connect("no-port-here"), 400);
        assertAnswer(NettyH2.connect("127.0.0.1:0"), 400);
        assertAnswer(NettyH2.connect(echo.authority()).add("x-big", "a".repeat(20_000)), 431);
        assertAnswer(NettyH2.connectUdp("127.0.0.1:" + relay.port(), "/.well-known/masque/udp/127.0.0.1/99999/"), 400);

        NettyH2.Stream tunnel = client.open(NettyH2.connect(echo.authority()));
        assertEquals(200, tunnel.status());
        tunnel.write("after".getBytes(StandardCharsets.UTF_8), true);
        assertEquals("after", new String(tunnel.in.readAllBytes(), StandardCharsets.UTF_8));
    }
}
