package org.masquerelay.server.tcp;

import org.eclipse.jetty.http.MetaData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.testpeers.TcpEchoServer;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.server.tcp.TcpRelay.T;

/**
 * The relay's HTTP/2 listener against Jetty's HTTP/2 client: classic CONNECT (RFC 9113 §8.5) with the bytes
 * unchanged both ways, many tunnels on one connection, refusals with Proxy-Status that leave the other tunnels alone,
 * the well-known paths and Alt-Svc.
 */
class Http2ListenerTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;
    private TcpRelay relay;
    private JettyH2 client;
    private TcpEchoServer echo;

    @BeforeEach
    void start() throws Exception {
        relay = TcpRelay.start(dir);
        client = new JettyH2(relay.address(), relay.caCertificate);
        echo = new TcpEchoServer(LOOPBACK);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        relay.close();
        echo.close();
    }

    @Test
    void advertisesExtendedConnectAndTheStreamLimit() throws Exception {
        var settings = client.serverSettings.get(T.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(1, settings.get(8), "SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441)");
        assertTrue(settings.get(3) >= 256, "MAX_CONCURRENT_STREAMS: " + settings.get(3));
    }

    @Test
    void classicConnectCarriesBytesUnchangedBothWays() throws Exception {
        byte[] sent = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(sent);
        JettyH2.Tunnel tunnel = client.connect(echo.authority());
        MetaData.Response response = tunnel.awaitResponse();
        assertEquals(200, response.getStatus());
        assertEquals("h3=\":" + relay.relay.addresses().get(0).getPort() + "\"; ma=86400",
                response.getHttpFields().get("alt-svc"), "Alt-Svc names the HTTP/3 port");
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try {
                return tunnel.readAll();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        for (int off = 0; off < sent.length; off += 100_000) {
            int n = Math.min(100_000, sent.length - off);
            tunnel.write(Arrays.copyOfRange(sent, off, off + n), off + n == sent.length);
        }
        // The client's END_STREAM half-closes towards the echo server, which ends its side: END_STREAM back.
        assertArrayEquals(sent, received.get(T.toSeconds() * 3, TimeUnit.SECONDS));
    }

    @Test
    void manyTunnelsOnOneConnection() throws Exception {
        List<JettyH2.Tunnel> tunnels = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            tunnels.add(client.connect(echo.authority()));
        }
        for (int i = 0; i < tunnels.size(); i++) {
            assertEquals(200, tunnels.get(i).awaitResponse().getStatus());
            tunnels.get(i).write(("tunnel " + i).getBytes(StandardCharsets.UTF_8), true);
        }
        for (int i = 0; i < tunnels.size(); i++) {
            assertEquals("tunnel " + i, new String(tunnels.get(i).readAll(), StandardCharsets.UTF_8));
        }
        assertEquals(40, echo.connectionsAccepted());
    }

    @Test
    void refusalsCarryProxyStatusAndLeaveOtherTunnelsAlone() throws Exception {
        JettyH2.Tunnel open = client.connect(echo.authority());
        assertEquals(200, open.awaitResponse().getStatus());

        int closedPort;
        try (var s = new java.net.ServerSocket(0, 1, LOOPBACK)) {
            closedPort = s.getLocalPort();
        }
        assertRefused(client.connect("127.0.0.1:" + closedPort), 502, "connection_refused");
        assertRefused(client.connect("192.0.2.1:443"), 403, "destination_ip_prohibited");
        assertRefused(client.connectUdp("127.0.0.1:" + relay.port(), "/no/such/template"), 404, null);

        // A client that gives up on a tunnel (Apple's race loser): only that stream ends.
        JettyH2.Tunnel cancelled = client.connect(echo.authority());
        assertEquals(200, cancelled.awaitResponse().getStatus());
        cancelled.reset();

        open.write("still here".getBytes(StandardCharsets.UTF_8), true);
        assertEquals("still here", new String(open.readAll(), StandardCharsets.UTF_8));
        JettyH2.Tunnel later = client.connect(echo.authority());
        assertEquals(200, later.awaitResponse().getStatus(), "the connection still takes new tunnels");
        later.write(new byte[] {1, 2, 3}, true);
        assertArrayEquals(new byte[] {1, 2, 3}, later.readAll());
    }

    private static void assertRefused(JettyH2.Tunnel tunnel, int status, String error) throws Exception {
        MetaData.Response response = tunnel.awaitResponse();
        assertEquals(status, response.getStatus());
        String proxyStatus = response.getHttpFields().get("proxy-status");
        assertNotNull(proxyStatus, "Proxy-Status on " + status);
        assertTrue(proxyStatus.startsWith("relay-dev"), proxyStatus);
        if (error != null) {
            assertTrue(proxyStatus.contains("error=" + error), proxyStatus);
        }
        assertTrue(new String(tunnel.readAll(), StandardCharsets.UTF_8).endsWith("\n"), "a one-line body");
    }

    @Test
    void wellKnownPathsAnswerAsOverHttp3() throws Exception {
        JettyH2.Tunnel pvd = client.get("127.0.0.1:" + relay.port(), "/.well-known/pvd");
        assertEquals(200, pvd.awaitResponse().getStatus());
        assertTrue(new String(pvd.readAll(), StandardCharsets.UTF_8).contains("\"identifier\""));
        JettyH2.Tunnel other = client.get("127.0.0.1:" + relay.port(), "/index.html");
        assertEquals(404, other.awaitResponse().getStatus());
    }
}
