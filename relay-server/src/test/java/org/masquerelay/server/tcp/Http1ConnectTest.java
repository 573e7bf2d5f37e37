package org.masquerelay.server.tcp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.UdpEchoServer;
import org.masquerelay.wire.Capsule;
import org.masquerelay.wire.CapsuleReader;
import org.masquerelay.wire.CapsuleType;
import org.masquerelay.wire.CapsuleWriter;
import org.masquerelay.wire.UdpPayload;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.server.tcp.TcpRelay.T;

/**
 * HTTP/1.1 over TLS to the relay, as a client without HTTP/2 talks to it: {@code CONNECT host:port} (RFC 9110
 * §9.3.6) with optimistic data, {@code Upgrade: connect-udp} (RFC 9298 §3.2), and bad input answered with a status and
 * Proxy-Status, never a silent close.
 */
class Http1ConnectTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;
    private TcpRelay relay;
    private TcpEchoServer echo;

    @BeforeEach
    void start() throws Exception {
        relay = TcpRelay.start(dir);
        echo = new TcpEchoServer(LOOPBACK);
    }

    @AfterEach
    void stop() {
        relay.close();
        echo.close();
    }

    private SSLSocket open(String... alpn) throws Exception {
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

    /** The response head, up to and including the blank line. */
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

    @Test
    void connectWithOptimisticDataCarriesBytesUnchanged() throws Exception {
        byte[] sent = new byte[1024 * 1024];
        new Random(2).nextBytes(sent);
        try (SSLSocket socket = open("http/1.1")) {
            assertEquals("http/1.1", socket.getApplicationProtocol());
            OutputStream out = socket.getOutputStream();
            // The request and the tunnel's first bytes in one write, before any answer (optimistic data).
            byte[] request = ("CONNECT " + echo.authority() + " HTTP/1.1\r\nHost: " + echo.authority()
                    + "\r\nProxy-Connection: Keep-Alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] first = new byte[request.length + 1000];
            System.arraycopy(request, 0, first, 0, request.length);
            System.arraycopy(sent, 0, first, request.length, 1000);
            out.write(first);
            out.flush();
            InputStream in = socket.getInputStream();
            String head = head(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.toLowerCase().contains("alt-svc: h3=\":"), head);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(sent, 1000, sent.length - 1000);
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertArrayEquals(sent, in.readNBytes(sent.length));
            writer.join(T.toMillis());
        }
    }

    @Test
    void noAlpnIsHttp11() throws Exception {
        try (SSLSocket socket = open()) {
            socket.getOutputStream().write(("CONNECT " + echo.authority() + " HTTP/1.1\r\n\r\nping")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = head(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertEquals("ping", new String(socket.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void refusedConnectHasProxyStatus() throws Exception {
        try (SSLSocket socket = open("http/1.1")) {
            socket.getOutputStream().write("CONNECT 192.0.2.1:443 HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
            assertTrue(answer.toLowerCase().contains("proxy-status: relay-dev; error=destination_ip_prohibited")
                    || answer.toLowerCase().contains("proxy-status: relay-dev;error=destination_ip_prohibited"), answer);
        }
    }

    @Test
    void badInputGetsAnAnswer() throws Exception {
        assertAnswer("CONNECT /not-an-authority HTTP/1.1\r\n\r\n", "HTTP/1.1 400", "proxy-status");
        assertAnswer("CONNECT 127.0.0.1:1 HTTP/1.1\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n", "HTTP/1.1 431", "proxy-status");
        assertAnswer("NOT HTTP AT ALL\u0001\r\n\r\n", "HTTP/1.1 400", "proxy-status");
        assertAnswer("GET /.well-known/pvd HTTP/1.1\r\nHost: localhost\r\n\r\n", "HTTP/1.1 200", "\"identifier\"");
        assertAnswer("GET /elsewhere HTTP/1.1\r\nHost: localhost\r\n\r\n", "HTTP/1.1 404", "alt-svc");
    }

    private void assertAnswer(String request, String statusLine, String contains) throws Exception {
        try (SSLSocket socket = open("http/1.1")) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            String head = head(socket.getInputStream());
            String rest = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String answer = head + rest;
            assertTrue(answer.startsWith(statusLine), "for " + request.lines().findFirst().orElse("") + ": " + answer);
            assertTrue(answer.toLowerCase().contains(contains), answer);
        }
    }

    @Test
    void upgradeToConnectUdpCarriesCapsules() throws Exception {
        try (UdpEchoServer udp = new UdpEchoServer(LOOPBACK); SSLSocket socket = open("http/1.1")) {
            socket.getOutputStream().write(("GET /.well-known/masque/udp/127.0.0.1/" + udp.port() + "/ HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + relay.port() + "\r\nConnection: Upgrade\r\nUpgrade: connect-udp\r\n"
                    + "Capsule-Protocol: ?1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String head = head(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            assertTrue(head.toLowerCase().contains("upgrade: connect-udp"), head);
            CapsuleReader reader = new CapsuleReader(socket.getInputStream(), 65_536);
            for (int i = 0; i < 3; i++) {
                byte[] payload = ("over http/1.1 " + i).getBytes(StandardCharsets.UTF_8);
                socket.getOutputStream().write(CapsuleWriter.datagramCapsule(UdpPayload.CONTEXT_UDP, payload, 0, payload.length));
                socket.getOutputStream().flush();
                Capsule back = reader.read();
                assertEquals(CapsuleType.DATAGRAM, back.type());
                UdpPayload echoed = UdpPayload.decode(back.value(), 0, back.value().length);
                assertEquals("over http/1.1 " + i, new String(echoed.buffer(), echoed.offset(), echoed.length(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void anUnfinishedRequestIsAnswered408AtTheHeaderTimeout(@TempDir Path other) throws Exception {
        relay.close();
        relay = TcpRelay.start(other, s -> s.newBuilder()
                .clientLimits(s.clientLimits().withRequestHeaderTimeout(java.time.Duration.ofMillis(500))).build());
        try (SSLSocket socket = open("http/1.1")) {
            // Half a request, then nothing (slowloris): the relay does not wait for the rest forever.
            socket.getOutputStream().write("CONNECT 127.0.0.1:1 HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.toLowerCase().contains("proxy-status: relay-dev"), answer);
        }
    }
}
