package org.masquerelay.client;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ConnectHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.masquerelay.server.certs.CertificateTool;
import org.masquerelay.server.certs.Identities;
import org.masquerelay.testpeers.TcpEchoServer;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A CONNECT proxy we did not write: Jetty 12.1.5's server with its ConnectHandler, over TLS with ALPN h2 and
 * http/1.1 (Jetty tunnels a CONNECT over HTTP/1.1 and, RFC 9113 §8.5, over HTTP/2). Only the echo server's address
 * is allowed, so any other target gets Jetty's own 403 (no Proxy-Status: the type must come from the status alone).
 */
@Timeout(60)
class JettyConnectProxyTest {
    @TempDir
    static Path state;
    static Server jetty;
    static ServerConnector connector;
    static TcpEchoServer echo;
    static Path ca;

    @BeforeAll
    static void start() throws Exception {
        echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
        CertificateTool.Result certs = CertificateTool.create(state, List.of("127.0.0.1"), false);
        ca = certs.caCertificate();
        char[] password = "jetty".toCharArray();
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(Identities.fromPem(certs.serverCertificate(), certs.serverKey(), "jetty", password));
        tls.setKeyStorePassword(new String(password));
        tls.setCipherComparator(org.eclipse.jetty.http2.HTTP2Cipher.COMPARATOR);
        jetty = new Server();
        HttpConfiguration http = new HttpConfiguration();
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol("http/1.1");
        connector = new ServerConnector(jetty, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http11);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        ConnectHandler connect = new ConnectHandler();
        connect.getWhiteListHosts().add("127.0.0.1:" + echo.port());
        jetty.setHandler(connect);
        jetty.start();
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.stop();
        echo.close();
    }

    private static RelayClient client(RelayTransport transport) {
        return TestEngine.builder().relay("https://127.0.0.1:" + connector.getLocalPort() + "/").trustCaFile(ca)
                .transport(transport).build();
    }

    @ParameterizedTest
    @EnumSource(value = RelayTransport.class, names = {"H2", "HTTP1_1"})
    void tcpTunnelIsByteExactBothWaysAndHalfCloses(RelayTransport transport) throws Exception {
        byte[] data = new byte[1024 * 1024];
        new Random(7).nextBytes(data);
        try (RelayClient client = client(transport);
             TcpTunnel tunnel = client.openTcp("127.0.0.1", echo.port());
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<byte[]> echoed = pool.submit(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                tunnel.inputStream().transferTo(out);
                return out.toByteArray();
            });
            for (int i = 0; i < data.length; i += 8192) {
                tunnel.outputStream().write(data, i, Math.min(8192, data.length - i));
            }
            tunnel.shutdownOutput(); // the echo's FIN (and so our end of input) only follows ours
            assertArrayEquals(data, echoed.get());
            assertEquals(transport.protocolName(), client.transportChoice().protocol());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RelayTransport.class, names = {"H2", "HTTP1_1"})
    void jettysRefusalIsATunnelRefusedException(RelayTransport transport) throws Exception {
        try (RelayClient client = client(transport)) {
            TcpTunnel tunnel = client.openTcp("127.0.0.1", 9);
            TunnelRefusedException refused = assertThrows(TunnelRefusedException.class, () -> {
                tunnel.outputStream().write("x".getBytes(StandardCharsets.US_ASCII));
                tunnel.inputStream().read();
            });
            assertEquals(403, refused.status());
            tunnel.close();
        }
    }
}
