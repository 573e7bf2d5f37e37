package org.masquerelay.server.tcp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.RelayServer;
import org.masquerelay.testpeers.TcpEchoServer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.masquerelay.server.tcp.TcpRelay.T;

/**
 * A drain on the TLS-over-TCP listener: an HTTP/2 connection gets GOAWAY and its open tunnel carries on; an HTTP/1.1
 * tunnel runs on; an HTTP/1.1 connection that has sent no request is closed; a new connection is closed at once; the
 * drain ends when the tunnels do, none cut.
 */
class TcpDrainTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    @Test
    void http2GetsGoAwayAndOpenTunnelsOnBothProtocolsRunToTheirEnd() throws Exception {
        try (TcpRelay relay = TcpRelay.start(dir);
             TcpEchoServer echo = new TcpEchoServer(LOOPBACK);
             NettyH2 h2 = new NettyH2(relay.address(), relay.caCertificate);
             SSLSocket h1 = open(relay, "http/1.1");
             SSLSocket idle = open(relay, "http/1.1")) {
            NettyH2.Stream tunnel = h2.open(NettyH2.connect(echo.authority()));
            assertEquals(200, tunnel.status());
            h1.getOutputStream().write(("CONNECT " + echo.authority() + " HTTP/1.1\r\nHost: " + echo.authority()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String head = head(h1.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            echoes(tunnel, h1, "before");
            awaitTrue(() -> relay.relay.openConnections() == 3, "three connections past TLS");

            CompletableFuture<RelayServer.DrainReport> drain = CompletableFuture.supplyAsync(() -> relay.relay.drain(T));
            int lastStream = h2.goAway.get(T.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(lastStream >= tunnel.channel.stream().id(), "GOAWAY keeps the open stream: " + lastStream);
            assertEquals(-1, readOrEnd(idle), "an HTTP/1.1 connection without a request is closed");
            try (NettyH2 late = new NettyH2(relay.address(), relay.caCertificate)) {
                assertTrue(late.closedByRelay(), "a new connection is closed while draining");
            } catch (Exception refusedDuringHandshake) {
                // closed before TLS completed: also a refusal
            }
            echoes(tunnel, h1, "during the drain");
            assertFalse(drain.isDone(), "the drain waits for the open tunnels");

            tunnel.write(new byte[0], true);
            assertEquals(-1, tunnel.in.read(), "the HTTP/2 tunnel ends cleanly");
            h1.close();
            RelayServer.DrainReport report = drain.get(T.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(2, report.tunnelsAtStart(), report.toString());
            assertEquals(0, report.tunnelsCut(), report.toString());
        }
    }

    /** The same bytes back through both tunnels. */
    private static void echoes(NettyH2.Stream h2, SSLSocket h1, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        h2.write(bytes, false);
        assertArrayEquals(bytes, h2.in.readNBytes(bytes.length), "HTTP/2 tunnel " + text);
        h1.getOutputStream().write(bytes);
        h1.getOutputStream().flush();
        assertArrayEquals(bytes, h1.getInputStream().readNBytes(bytes.length), "HTTP/1.1 tunnel " + text);
    }

    /** -1 when the relay ended the connection (a TLS close or a reset both count). */
    private static int readOrEnd(SSLSocket socket) {
        try {
            return socket.getInputStream().read();
        } catch (IOException closed) {
            return -1;
        }
    }

    private static SSLSocket open(TcpRelay relay, String... alpn) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(relay.caCertificate)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", relay.port());
        socket.setSoTimeout((int) T.toMillis());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(alpn);
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            out.write(c);
            byte[] b = out.toByteArray();
            int n = b.length;
            if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
                break;
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + T);
            }
            LockSupport.parkNanos(5_000_000); // polled: the relay has no callback for it
        }
    }
}
