package org.masquerelay.interop.matrix;

import org.masquerelay.interop.variants.TestPki;
import org.masquerelay.server.DevMode;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.TcpSinkServer;
import org.masquerelay.testpeers.TcpSourceServer;
import org.masquerelay.testpeers.UdpEchoServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a run needs on loopback: the dev CA (the "installed root"), targets (TCP echo, UDP echo, a 1 MiB TCP
 * source, a TCP sink, an HTTP origin over the same content, a port with nobody listening) and the PKI for faulty relays. Servers under test are started
 * by their {@link ServerPeer}s against this.
 */
public final class InteropEnv implements AutoCloseable {
    /** Apple's client sends additionalHTTPHeaderFields; this is the credential our relay under test requires. */
    public static final AuthConfig AUTH = new AuthConfig("authorization", List.of("Bearer interop-secret"), 407);
    public static final Map<String, String> AUTH_HEADER = Map.of("authorization", "Bearer interop-secret");
    public static final int SOURCE_LENGTH = 1024 * 1024;
    /** Case L's download (the 50 MB); case K streams from the same source and is cut off early. */
    public static final long LARGE_LENGTH = 50L * 1024 * 1024;

    public final Path dir;
    public final Path caPem;
    public final TestPki pki;
    public final TcpEchoServer tcpEcho;
    public final UdpEchoServer udpEcho;
    public final TcpSourceServer source;
    public final TcpSinkServer sink;
    /** Serves {@link #LARGE_LENGTH} bytes to every connection (cases L and K). */
    public final TcpSourceServer largeSource;
    private String largeSha256;
    /** HTTP over the same content, for clients that speak HTTP through a tunnel (curl). */
    public final HttpOrigin httpOrigin;
    /** A loopback port with no listener: a connection there is refused. */
    public final int closedPort;
    private final RelaySettings devSettings;

    public InteropEnv(Path dir) throws IOException {
        this(dir, null);
    }

    /** @param engine the QUIC engine our relay runs on, or null for the relay's default */
    public InteropEnv(Path dir, QuicEngine engine) throws IOException {
        this.dir = dir;
        Path state = dir.resolve("relay-dev");
        DevMode.Dev dev = DevMode.prepare(state, List.of(new InetSocketAddress("127.0.0.1", 0)));
        RelaySettings.Builder settings = dev.settings().newBuilder().auth(AUTH);
        this.devSettings = (engine == null ? settings : settings.engine(engine)).build();
        this.caPem = dev.caCertificate();
        this.pki = new TestPki(state, Files.createDirectories(dir.resolve("pki")));
        InetAddress lo = InetAddress.getLoopbackAddress();
        this.tcpEcho = new TcpEchoServer(lo);
        this.udpEcho = new UdpEchoServer(lo);
        this.source = new TcpSourceServer(lo, SOURCE_LENGTH);
        this.sink = new TcpSinkServer(lo);
        this.largeSource = new TcpSourceServer(lo, LARGE_LENGTH, 0x1a26e);
        this.httpOrigin = new HttpOrigin(lo, source, largeSource);
        try (ServerSocket s = new ServerSocket(0, 1, lo)) {
            this.closedPort = s.getLocalPort();
        }
    }

    /** The QUIC engine our relay runs on here. */
    public QuicEngine engine() {
        return devSettings.engine();
    }

    /** Our relay, as dev mode makes it (loopback-only policy, dev CA) plus a required credential. */
    public RelayServer startOurRelay() throws IOException {
        return RelayServer.start(devSettings);
    }

    /** Our relay with its TCP listener (HTTP/2, HTTP/1.1) on the HTTP/3 port number, as Apple's HTTP2RelayURL expects. */
    public RelayServer startOurRelayWithTcpListener() throws IOException {
        return startOurRelay(null);
    }

    /** The settings our relay runs with here (dev mode's, plus the credential), e.g. for a variant built on it. */
    public RelaySettings devSettings() {
        return devSettings;
    }

    /**
     * A relay with the same settings and its TCP listener on the HTTP/3 port number, as the matrix's server peer and
     * as a dedicated one for one cell.
     *
     * @param targetConnectTimeout its bound on connecting to a target, or null for the default
     */
    public RelayServer startOurRelay(Duration targetConnectTimeout) throws IOException {
        RelaySettings.Builder s = devSettings.newBuilder().tcpListen(devSettings.listen());
        if (targetConnectTimeout != null) {
            s.tunnel(t -> t.connectTimeout(targetConnectTimeout));
        }
        return RelayServer.start(s.build());
    }

    /** SHA-256 of what {@link #largeSource} sends, computed once. */
    public synchronized String largeSha256() {
        if (largeSha256 == null) {
            largeSha256 = largeSource.sha256();
        }
        return largeSha256;
    }

    public java.security.cert.X509Certificate root() {
        return pki.root();
    }

    @Override
    public void close() {
        tcpEcho.close();
        udpEcho.close();
        source.close();
        sink.close();
        largeSource.close();
        httpOrigin.close();
    }
}
