package org.masquerelay.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.SettingsFactory;
import org.masquerelay.server.certs.CertificateAuthority;
import org.masquerelay.server.certs.CertificateTool;

/** tls.client-ca and auth.client-certificate: read relative to the file, checked at load, refused on kwik. */
class ClientCaConfigTest {

    @TempDir
    Path dir;
    CertificateTool.Result server;

    @BeforeEach
    void files() throws Exception {
        server = CertificateTool.create(dir.resolve("server"), List.of("relay.example.com"), false);
        CertificateAuthority.create(dir.resolve("clients"), false);
        // Two CAs in one file: both are accepted.
        CertificateAuthority.create(dir.resolve("more"), false);
        Files.writeString(dir.resolve("client-cas.pem"), Files.readString(dir.resolve("clients/ca.pem"))
                + Files.readString(dir.resolve("more/ca.pem")));
    }

    private RelayConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "relay.yaml", dir);
    }

    private ConfigException fails(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml));
    }

    private static final String IDENTITY = "tls: {certificate: server/server.pem, private-key: server/server-key.pem, ";

    @Test
    void relativePathFromTheConfigFolderWithSeveralCas() {
        RelayConfig cfg = parse(IDENTITY + "client-ca: client-cas.pem}\nengine: quiche\n");
        assertEquals(2, cfg.clientCa().orElseThrow().certificates().size());
        assertEquals(dir.resolve("client-cas.pem"), cfg.clientCa().orElseThrow().file());
        RelaySettings settings = SettingsFactory.from(cfg);
        assertEquals(2, settings.engineSettings().clientCaCertificates().size());
        assertTrue(SettingsFactory.from(parse(IDENTITY.substring(0, IDENTITY.length() - 2) + "}\n")).engineSettings().clientCaCertificates().isEmpty());
    }

    @Test
    void clientCaAloneLeavesTheIdentityToTheCommandLine() {
        RelayConfig cfg = parse("tls: {client-ca: clients/ca.pem}\nengine: quiche\n");
        assertTrue(cfg.clientCa().isPresent());
        assertFalse(cfg.tls().isPresent());
    }

    @Test
    void badFilesNameTheKey() throws Exception {
        ConfigException missing = fails(IDENTITY + "client-ca: nope.pem}");
        assertEquals("tls.client-ca", missing.keyPath());
        assertEquals("tls.client-ca: " + dir.resolve("nope.pem") + " does not exist", missing.getMessage());

        Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        ConfigException empty = fails(IDENTITY + "client-ca: empty.pem}");
        assertTrue(empty.getMessage().startsWith("tls.client-ca: " + dir.resolve("empty.pem") + " holds no certificate"),
                empty.getMessage());

        // A leaf (the server certificate) instead of a CA.
        ConfigException leaf = fails(IDENTITY + "client-ca: server/server.pem}");
        assertTrue(leaf.getMessage().startsWith("tls.client-ca: ") && leaf.getMessage().contains("not a CA certificate"),
                leaf.getMessage());
    }

    @Test
    void kwikWithClientCaRefusesToStart() {
        RelayConfig cfg = parse("engine: kwik\n" + IDENTITY + "client-ca: clients/ca.pem}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SettingsFactory.from(cfg));
        assertEquals("tls.client-ca", e.keyPath());
        assertTrue(e.getMessage().contains("needs the quiche engine"), e.getMessage());
        assertEquals(1, SettingsFactory.from(cfg.newBuilder().engine(QuicEngine.QUICHE).build()).engineSettings().clientCaCertificates().size());
    }

    @Test
    void authClientCertificate() {
        AuthConfig auth = parse(IDENTITY + "client-ca: clients/ca.pem}\nauth: {client-certificate: required}\n")
                .auth().orElseThrow();
        assertTrue(auth.clientCertificateRequired());
        assertFalse(auth.checksCredentials());

        ConfigException noCa = fails("auth: {client-certificate: required}");
        assertEquals("auth.client-certificate", noCa.keyPath());
        assertTrue(noCa.getMessage().contains("needs tls.client-ca"), noCa.getMessage());

        ConfigException bad = fails(IDENTITY + "client-ca: clients/ca.pem}\nauth: {client-certificate: yes}\n");
        assertEquals("auth.client-certificate", bad.keyPath());
    }
}
