package org.masquerelay.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.engine.kwik.KwikClientEngine;
import org.masquerelay.engine.quiche.QuicheClientEngine;
import org.masquerelay.server.certs.CertificateAuthority;
import org.masquerelay.server.certs.ClientCertificateIssuer;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.ProxyError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.masquerelay.server.RelayFixture.T;

/**
 * Mutual TLS (tls.client-ca): clients of the configured CA get tunnels and are named in the tunnel log; clients
 * without a certificate or with one from another CA are refused in the handshake with a TLS alert, never left hanging.
 * The handshake part needs the quiche engine (Kwik's server cannot ask for client certificates).
 */
class MutualTlsTest extends RelayTestBase {
    private static final char[] PASSWORD = "client".toCharArray();

    @TempDir
    static Path pki;
    static CertificateAuthority clientCa;
    static KeyStore alice;
    static KeyStore mallory;

    private final List<ClientConnection> connections = new ArrayList<>();

    @BeforeAll
    static void issueClientCertificates() {
        clientCa = CertificateAuthority.create(pki.resolve("clients"), false);
        CertificateAuthority otherCa = CertificateAuthority.create(pki.resolve("other"), false);
        ClientCertificateIssuer issuer = new ClientCertificateIssuer();
        alice = ClientCertificateIssuer.keyStore(issuer.issue(clientCa, "alice", 1), "alice", PASSWORD);
        mallory = ClientCertificateIssuer.keyStore(issuer.issue(otherCa, "mallory", 1), "mallory", PASSWORD);
    }

    @AfterEach
    void closeConnections() {
        connections.forEach(c -> c.close(0, "test over"));
    }

    private void startMutualTls(UnaryOperator<RelaySettings.Builder> more) throws IOException {
        assumeTrue(RelayFixture.ENGINE == QuicEngine.QUICHE,
                "mutual TLS needs the quiche server engine; Kwik's server cannot ask for client certificates");
        relay = RelayFixture.start(dir, s -> more.apply(s.engineSettings(e -> e.clientCaCertificates(List.of(clientCa.certificate())))));
    }

    private ClientConnection connect(boolean kwik, KeyStore identity) throws IOException {
        ClientEngineSettings settings = ClientEngineSettings.builder().relay("127.0.0.1", relay.address().getPort())
                .insecure(true).connectTimeout(T).clientIdentity(identity, PASSWORD).build();
        ClientConnection c = kwik ? new KwikClientEngine().connect(settings) : new QuicheClientEngine().connect(settings);
        connections.add(c);
        return c;
    }

    private ClientStream openEchoTunnel(ClientConnection c, Map<String, String> headers) throws IOException {
        HttpFields.Builder request = HttpFields.builder().add(":method", "CONNECT")
                .add(":authority", "127.0.0.1:" + echo.port());
        headers.forEach(request::add);
        return c.openRequest(request.build());
    }

    private static void assertEchoes(ClientStream stream) throws IOException {
        byte[] hello = "hello through mTLS".getBytes(StandardCharsets.US_ASCII);
        stream.bodyOut().write(hello);
        stream.bodyOut().flush();
        assertArrayEquals(hello, stream.body().readNBytes(hello.length));
    }

    @Test
    void clientsOfTheConfiguredCaGetTunnelsAndAreNamedInTheLog() throws Exception {
        startMutualTls(UnaryOperator.identity());
        TunnelLines log = TunnelLines.install();
        try {
            for (boolean kwik : new boolean[] {false, true}) {
                ClientStream stream = openEchoTunnel(connect(kwik, alice), Map.of());
                assertEquals("200", stream.awaitResponse(T).getOrNull(":status"), kwik ? "kwik client" : "quiche client");
                assertEchoes(stream);
            }
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("[CN=alice]") && l.contains("opened")), log.lines().toString());
        } finally {
            log.uninstall();
        }
    }

    @Test
    void clientsWithoutACertificateOrFromAnotherCaAreRefusedWithATlsAlert() throws Exception {
        startMutualTls(UnaryOperator.identity());
        IOException refused = assertThrows(IOException.class, () -> connect(false, mallory));
        assertTrue(refused.getMessage().contains("TLS alert"), refused.getMessage());

        // TLS 1.3: the client's side of the handshake completes before the relay checks it; the alert then closes it.
        ClientConnection anonymous = connect(false, null);
        CompletableFuture<String> closed = new CompletableFuture<>();
        anonymous.onClose(closed::complete);
        String reason = closed.get(T.toSeconds(), TimeUnit.SECONDS);
        assertTrue(reason.contains("TLS alert"), reason);
        assertEquals(0, echo.connectionsAccepted(), "no tunnel for refused clients");
    }

    @Test
    void authCanAskForTheCertificateAndACredential() throws Exception {
        startMutualTls(s -> s.auth(new AuthConfig("authorization", List.of("Bearer s3cret"), 407, true)));
        ClientConnection c = connect(false, alice);
        assertEquals("407", openEchoTunnel(c, Map.of()).awaitResponse(T).getOrNull(":status"));
        ClientStream stream = openEchoTunnel(c, Map.of("authorization", "Bearer s3cret"));
        assertEquals("200", stream.awaitResponse(T).getOrNull(":status"));
        assertEchoes(stream);
    }

    /** Runs on both engines: a relay whose auth requires a certificate it never asks for refuses every tunnel. */
    @Test
    void requiredCertificateMissingIs403() throws IOException {
        NettyH3Client client = client(s -> s.auth(new AuthConfig("authorization", List.of(), 407, true)));
        Tunnel tunnel = client.openTcp("127.0.0.1:" + echo.port(), Map.of(), null);
        Tunnel.Response response = tunnel.awaitResponse(T);
        assertEquals(403, response.status());
        assertTrue(response.header("proxy-status").orElse("").contains(ProxyError.HTTP_REQUEST_DENIED.token()),
                response.toString());
        assertEquals(0, echo.connectionsAccepted());
    }

    /** The relay's tunnel log lines ("org.masquerelay.tunnel"), formatted. */
    private static final class TunnelLines extends Handler {
        private static final Logger LOGGER = Logger.getLogger("org.masquerelay.tunnel");
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final SimpleFormatter formatter = new SimpleFormatter();

        static TunnelLines install() {
            TunnelLines h = new TunnelLines();
            LOGGER.addHandler(h);
            return h;
        }

        void uninstall() {
            LOGGER.removeHandler(this);
        }

        List<String> lines() {
            return lines;
        }

        @Override
        public void publish(LogRecord record) {
            lines.add(formatter.formatMessage(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
