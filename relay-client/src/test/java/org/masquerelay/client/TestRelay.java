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
        this.server = server;
        this.ca = ca;
        this.port = server.addresses().get(0).getPort();
    }

    /** Relays started with the same state dir share one dev CA. */
    public static TestRelay start(Path stateDir) throws IOException {
        return start(stateDir, false, 0);
    }

    /** A relay on a free port of 127.0.0.1 on the given QUIC engine (null: the default one). */
    public static TestRelay start(Path stateDir, org.masquerelay.server.config.QuicEngine engine) throws IOException {
        DevMode.Dev dev = DevMode.prepare(stateDir, List.of(new InetSocketAddress("127.0.0.1", 0)));
        return new TestRelay(RelayServer.start(dev.settings().newBuilder().engine(engine).build()), dev.caCertificate());
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
