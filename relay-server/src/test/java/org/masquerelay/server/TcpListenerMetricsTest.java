package org.masquerelay.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.metrics.RelayMetrics;
import org.masquerelay.testpeers.TcpEchoServer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Connections and tunnels of the TLS-over-TCP listener count under transport "h2" (HTTP/3's under "h3"), read with
 * the Prometheus parser: a tunnel through HTTP/1.1 CONNECT is one tcp tunnel on h2 and none on h3.
 */
class TcpListenerMetricsTest {
    private static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aTunnelOverTheTcpListenerCountsAsH2() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        DevMode.Dev dev = DevMode.prepare(dir, List.of(loopback));
        RelayMetrics metrics = new RelayMetrics();
        try (RelayServer relay = RelayServer.start(dev.settings().newBuilder().tcpListen(List.of(loopback)).build(), metrics);
             TcpEchoServer echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
             SSLSocket socket = open(relay.tcpAddresses().get(0).getPort(), dev.caCertificate())) {
            socket.getOutputStream().write(("CONNECT " + echo.authority() + " HTTP/1.1\r\nHost: " + echo.authority()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            while (!(in.read() == '\r' && in.read() == '\n' && in.read() == '\r' && in.read() == '\n')) {
                // the rest of the response head
            }
            socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), in.readNBytes(4));

            PromText during = PromText.parse(new String(metrics.scrape(), StandardCharsets.UTF_8));
            assertEquals(1, during.value("masque_relay_connections_open", "transport", "h2"), during.text());
            assertEquals(1, during.value("masque_relay_tunnels_open", "kind", "tcp", "transport", "h2"), during.text());
            assertEquals(1, during.value("masque_relay_tunnels_total", "kind", "tcp", "transport", "h2"), during.text());
            assertEquals(0, during.value("masque_relay_tunnels_total", "kind", "tcp", "transport", "h3"), during.text());
            socket.close();
            long deadline = System.nanoTime() + T.toNanos();
            while (PromText.parse(new String(metrics.scrape(), StandardCharsets.UTF_8))
                    .value("masque_relay_tunnels_open", "kind", "tcp", "transport", "h2") != 0) {
                if (System.nanoTime() > deadline) {
                    fail("the tunnel is still counted open " + T + " after its connection closed");
                }
                LockSupport.parkNanos(20_000_000); // polled: a gauge has no callback
            }
        }
    }

    private static SSLSocket open(int port, Path caCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout((int) T.toMillis());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[]{"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }
}
