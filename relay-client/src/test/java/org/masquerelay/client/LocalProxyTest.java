package org.masquerelay.client;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.proxy.LocalProxy;
import org.masquerelay.testpeers.UdpEchoServer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SOCKS5 and HTTP front ends, driven by Debian's curl (unmodified) and by raw protocol bytes. */
@Timeout(90)
class LocalProxyTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);
    @TempDir
    static Path state;
    static TestRelay relay;
    static HttpServer http;
    static HttpsServer https;
    static RelayClient client;
    static LocalProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.start(state);
        http = Origins.http();
        https = Origins.https(state);
        client = relay.client().build();
        proxy = LocalProxy.start(client, ANY_LOOPBACK_PORT, ANY_LOOPBACK_PORT, line -> {});
    }

    @AfterAll
    static void stop() {
        proxy.close();
        client.close();
        relay.close();
        http.stop(0);
        https.stop(0);
    }

    record Run(int code, String stdout, String stderr) {}

    private static Run curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        // Read both pipes while curl runs so neither can fill up and stall it.
        byte[][] bufs = new byte[2][];
        Thread a = Thread.ofVirtual().start(() -> bufs[0] = readQuietly(p.getInputStream()));
        Thread b = Thread.ofVirtual().start(() -> bufs[1] = readQuietly(p.getErrorStream()));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "curl finished");
        a.join();
        b.join();
        return new Run(p.exitValue(), new String(bufs[0], StandardCharsets.UTF_8), new String(bufs[1], StandardCharsets.UTF_8));
    }

    private static byte[] readQuietly(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static String socks() {
        return "127.0.0.1:" + proxy.socks5Address().getPort();
    }

    private static String httpProxy() {
        return "http://127.0.0.1:" + proxy.httpAddress().getPort();
    }

    @Test
    void curlThroughSocks5Hostname(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("socks.bin");
        // localhost as a name: --socks5-hostname makes the proxy (and so the relay) resolve it.
        Run r = curl("--socks5-hostname", socks(), "-o", out.toString(), "http://localhost:" + http.getAddress().getPort() + "/data");
        assertEquals(0, r.code(), r.stderr());
        assertArrayEquals(Origins.BODY, Files.readAllBytes(out));
    }

    @Test
    void curlThroughHttpConnectToHttps(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("https.bin");
        Run r = curl("-x", httpProxy(), "--cacert", relay.ca.toString(), "-o", out.toString(),
                "https://127.0.0.1:" + https.getAddress().getPort() + "/data");
        assertEquals(0, r.code(), r.stderr());
        assertArrayEquals(Origins.BODY, Files.readAllBytes(out));
    }

    @Test
    void curlThroughHttpProxyAbsoluteForm(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("plain.bin");
        Run r = curl("-x", httpProxy(), "-o", out.toString(), "http://127.0.0.1:" + http.getAddress().getPort() + "/data");
        assertEquals(0, r.code(), r.stderr());
        assertArrayEquals(Origins.BODY, Files.readAllBytes(out));
        Run post = curl("-x", httpProxy(), "-d", "posted", "http://127.0.0.1:" + http.getAddress().getPort() + "/echo");
        assertEquals("posted", post.stdout());
    }

    @Test
    void refusalsBecomeProperErrorReplies() throws Exception {
        Run connect = curl("-p", "-x", httpProxy(), "-o", "/dev/null", "-w", "%{http_connect}", "http://10.0.0.1/");
        assertEquals("403", connect.stdout());
        assertEquals(56, connect.code(), connect.stderr()); // curl: CONNECT tunnel failed
        try (Socket s = new Socket(proxy.socks5Address().getAddress(), proxy.socks5Address().getPort())) {
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(new byte[] {5, 1, 0});
            assertArrayEquals(new byte[] {5, 0}, in.readNBytes(2));
            out.write(new byte[] {5, 1, 0, 1, 10, 0, 0, 1, 0, 80}); // CONNECT 10.0.0.1:80
            byte[] reply = in.readNBytes(10);
            assertEquals(0x02, reply[1], "connection not allowed by ruleset: " + Arrays.toString(reply));
        }
    }

    @Test
    void badClientsGetAnAnswerNotACrash() throws Exception {
        try (Socket s = new Socket(proxy.httpAddress().getAddress(), proxy.httpAddress().getPort())) {
            s.getOutputStream().write("HELLO\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        }
        try (Socket s = new Socket(proxy.socks5Address().getAddress(), proxy.socks5Address().getPort())) {
            s.getOutputStream().write(new byte[] {5, 1, 2}); // only username/password offered
            assertArrayEquals(new byte[] {5, (byte) 0xFF}, s.getInputStream().readNBytes(2));
        }
        try (Socket s = new Socket(proxy.socks5Address().getAddress(), proxy.socks5Address().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {5, 1, 0});
            assertArrayEquals(new byte[] {5, 0}, s.getInputStream().readNBytes(2));
            out.write(new byte[] {5, 2, 0, 1, 127, 0, 0, 1, 0, 80}); // BIND: not supported
            assertEquals(0x07, s.getInputStream().readNBytes(10)[1]);
        }
        // Still serving.
        Run r = curl("--socks5-hostname", socks(), "http://127.0.0.1:" + http.getAddress().getPort() + "/ok");
        assertEquals(0, r.code(), r.stderr());
    }

    @Test
    void socks5UdpAssociateGoesThroughConnectUdp() throws Exception {
        try (UdpEchoServer echo = new UdpEchoServer(InetAddress.getLoopbackAddress());
             Socket control = new Socket(proxy.socks5Address().getAddress(), proxy.socks5Address().getPort());
             DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            OutputStream out = control.getOutputStream();
            InputStream in = control.getInputStream();
            out.write(new byte[] {5, 1, 0});
            assertArrayEquals(new byte[] {5, 0}, in.readNBytes(2));
            out.write(new byte[] {5, 3, 0, 1, 0, 0, 0, 0, 0, 0}); // UDP ASSOCIATE, client address unknown
            byte[] reply = in.readNBytes(10);
            assertEquals(0, reply[1]);
            int relayPort = ((reply[8] & 0xff) << 8) | (reply[9] & 0xff);
            InetAddress relayAddress = InetAddress.getByAddress(Arrays.copyOfRange(reply, 4, 8));
            // RSV RSV FRAG ATYP=domain "localhost" PORT DATA
            byte[] host = "localhost".getBytes(StandardCharsets.US_ASCII);
            byte[] payload = "udp through the relay".getBytes(StandardCharsets.US_ASCII);
            byte[] header = new byte[4 + 1 + host.length + 2];
            header[3] = 3;
            header[4] = (byte) host.length;
            System.arraycopy(host, 0, header, 5, host.length);
            header[5 + host.length] = (byte) (echo.port() >> 8);
            header[6 + host.length] = (byte) echo.port();
            byte[] datagram = Arrays.copyOf(header, header.length + payload.length);
            System.arraycopy(payload, 0, datagram, header.length, payload.length);
            udp.send(new DatagramPacket(datagram, datagram.length, relayAddress, relayPort));
            udp.setSoTimeout(10_000);
            DatagramPacket back = new DatagramPacket(new byte[2000], 2000);
            udp.receive(back);
            byte[] got = Arrays.copyOf(back.getData(), back.getLength());
            assertArrayEquals(header, Arrays.copyOf(got, header.length), "reply carries the target's address");
            assertEquals("udp through the relay", new String(got, header.length, got.length - header.length, StandardCharsets.US_ASCII));
            assertEquals(1, echo.datagramsReceived());
        }
    }

    @Test
    void closeEndsEverything() throws Exception {
        try (RelayClient own = relay.client().build()) {
            LocalProxy p = LocalProxy.start(own, ANY_LOOPBACK_PORT, ANY_LOOPBACK_PORT, line -> {});
            InetSocketAddress socksAddress = p.socks5Address();
            // An open tunnel held by a client that never finishes.
            Socket held = new Socket(socksAddress.getAddress(), socksAddress.getPort());
            held.getOutputStream().write(new byte[] {5, 1, 0});
            held.getInputStream().readNBytes(2);
            held.getOutputStream().write(new byte[] {5, 1, 0, 3, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',
                    (byte) (http.getAddress().getPort() >> 8), (byte) http.getAddress().getPort()});
            assertEquals(0, held.getInputStream().readNBytes(10)[1]);
            assertTrue(p.openResources() >= 2, "socket and tunnel tracked");
            p.close();
            assertEquals(0, p.openResources());
            held.setSoTimeout(10_000); // a socket left open would fail this with SocketTimeoutException
            try {
                assertEquals(-1, held.getInputStream().read(), "our end was closed");
            } catch (java.net.SocketException reset) {
                // closed with RST (the tunnel ended abruptly): closed all the same
            }
            held.close();
            assertThrows(ConnectException.class, () -> new Socket(socksAddress.getAddress(), socksAddress.getPort()).close());
        }
    }
}
