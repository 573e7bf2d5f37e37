package org.masquerelay.client;

import org.masquerelay.server.DevMode;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.config.AuthConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** Our relay in dev mode on 127.0.0.1 (loopback targets only), with its dev CA; optionally with an Authenticator. */
public final class TestRelay implements AutoCloseable {
    public static final String TOKEN = "Bearer test-token";

    public final RelayServer server;
    public final Path ca;
    public final int port;

    private TestRelay(RelayServer server, Path ca) {
        this(server, ca, server.addresses().get(0).getPort());
    }

    private TestRelay(RelayServer server, Path ca, int port) {
        this.server = server;
        this.ca = ca;
        this.port = port;
    }

    /** Relays started with the same state dir share one dev CA. */
    public static TestRelay start(Path stateDir) throws IOException {
        return start(stateDir, false, 0);
    }

    /** @param auth require "authorization: Bearer test-token" (401 otherwise) */
    public static TestRelay start(Path stateDir, boolean auth, int port) throws IOException {
        DevMode.Dev dev = DevMode.prepare(stateDir, List.of(new InetSocketAddress("127.0.0.1", port)));
        RelaySettings.Builder s = dev.settings().newBuilder();
        if (auth) {
            s.auth(new AuthConfig("authorization", List.of(TOKEN), 401));
        }
        return new TestRelay(RelayServer.start(s.build()), dev.caCertificate());
    }

    /**
     * A relay with its TLS-over-TCP listener (HTTP/2, HTTP/1.1) too, on HTTP/3's port number (as {@code relay-server
     * dev} runs it); {@code udp} false: that listener alone, no HTTP/3 (a network that blocks UDP, seen from the
     * client, once the caller holds the UDP port).
     */
    public static TestRelay startWithTcp(Path stateDir, boolean udp) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        for (int attempt = 1; ; attempt++) {
            DevMode.Dev dev = DevMode.prepare(stateDir, udp ? List.of(loopback) : List.of());
            RelayServer server = RelayServer.start(dev.settings().newBuilder().tcpListen(List.of(loopback)).build());
            int tcp = server.tcpAddresses().get(0).getPort();
            if (!udp) {
                return new TestRelay(server, dev.caCertificate(), tcp);
            }
            if (server.addresses().get(0).getPort() == tcp || attempt == 5) {
                // A relay URL names one port for both transports: HTTP/3's number was free on TCP (almost always).
                return new TestRelay(server, dev.caCertificate(), server.addresses().get(0).getPort());
            }
            server.close();
        }
    }

    /** The bound TCP listener's port (HTTP/2, HTTP/1.1). */
    public int tcpPort() {
        return server.tcpAddresses().get(0).getPort();
    }

    /**
     * A relay on 127.0.0.1 whose certificate names only {@code name} (from its own CA in {@code stateDir}): to try a
     * production-like name on loopback (--resolve, --connect-to).
     */
    public static TestRelay startNamed(Path stateDir, String name) throws IOException {
        RelaySettings dev = DevMode.prepare(stateDir.resolve("dev"), List.of(new InetSocketAddress("127.0.0.1", 0))).settings();
        var certs = org.masquerelay.server.certs.CertificateTool.create(stateDir.resolve("named"), List.of(name), false);
        char[] password = "named".toCharArray();
        var identity = org.masquerelay.server.certs.Identities.fromPem(certs.serverCertificate(), certs.serverKey(), "relay", password);
        RelaySettings s = dev.newBuilder().engineSettings(e -> e.identity(identity, "relay", password)).build();
        return new TestRelay(RelayServer.start(s), certs.caCertificate());
    }

    public String url() {
        return "https://127.0.0.1:" + port + "/";
    }

    public RelayClient.Builder client() {
        return TestEngine.builder().relay(url()).trustCaFile(ca);
    }

    @Override
    public void close() {
        server.close();
    }
}
