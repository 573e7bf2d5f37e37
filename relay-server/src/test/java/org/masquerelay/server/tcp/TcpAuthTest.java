package org.masquerelay.server.tcp;

import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http.MetaData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.testpeers.TcpEchoServer;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's authentication and per-connection tunnel limit over HTTP/2, as over HTTP/3: 407 with Proxy-Status and
 * a challenge; 429 with Proxy-Status past the limit while the tunnels already open carry on.
 */
class TcpAuthTest {
    @TempDir
    Path dir;

    @Test
    void http2AnswersAMissingCredentialWith407AndAcceptsTheRightOne() throws Exception {
        try (TcpRelay relay = TcpRelay.start(dir, s -> s.newBuilder()
                .auth(new AuthConfig("authorization", List.of("Bearer s3cret"), 407)).build());
             JettyH2 client = new JettyH2(relay.address(), relay.caCertificate);
             TcpEchoServer echo = new TcpEchoServer(InetAddress.getLoopbackAddress())) {
            JettyH2.Tunnel refused = client.connect(echo.authority());
            MetaData.Response response = refused.awaitResponse();
            assertEquals(407, response.getStatus());
            assertTrue(response.getHttpFields().get("proxy-status").contains("error=http_request_denied"),
                    response.getHttpFields().toString());
            assertEquals("Bearer realm=\"relay\"", response.getHttpFields().get("proxy-authenticate"));

            JettyH2.Tunnel tunnel = client.open(new MetaData.ConnectRequest((HttpScheme) null,
                    new HostPortHttpField(echo.authority()), null,
                    HttpFields.build().add("authorization", "Bearer s3cret"), null));
            assertEquals(200, tunnel.awaitResponse().getStatus());
            tunnel.write("authorised".getBytes(StandardCharsets.UTF_8), true);
            assertEquals("authorised", new String(tunnel.readAll(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void http2TunnelLimitIs429AndTheOpenTunnelsCarryOn() throws Exception {
        try (TcpRelay relay = TcpRelay.start(dir, s -> s.newBuilder().tunnelsPerConnection(2).build());
             JettyH2 client = new JettyH2(relay.address(), relay.caCertificate);
             TcpEchoServer echo = new TcpEchoServer(InetAddress.getLoopbackAddress())) {
            JettyH2.Tunnel first = client.connect(echo.authority());
            JettyH2.Tunnel second = client.connect(echo.authority());
            assertEquals(200, first.awaitResponse().getStatus());
            assertEquals(200, second.awaitResponse().getStatus());
            MetaData.Response third = client.connect(echo.authority()).awaitResponse();
            assertEquals(429, third.getStatus());
            assertTrue(third.getHttpFields().get("proxy-status").startsWith("relay-dev"), third.getHttpFields().toString());
            for (JettyH2.Tunnel t : List.of(first, second)) {
                t.write("open".getBytes(StandardCharsets.UTF_8), true);
                assertEquals("open", new String(t.readAll(), StandardCharsets.UTF_8));
            }
        }
    }
}
