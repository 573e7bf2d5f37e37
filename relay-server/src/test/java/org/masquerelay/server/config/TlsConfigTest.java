package org.masquerelay.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.certs.CertificateTool;

/** Loading the configured identity, with errors reported against the configuration key. */
class TlsConfigTest {

    private static final char[] PW = "pw".toCharArray();

    @TempDir
    Path dir;

    @Test
    void pemIdentityLoads() throws Exception {
        CertificateTool.Result r = CertificateTool.create(dir, List.of("relay.example.com"), false);
        KeyStore ks = TlsConfig.pem(r.serverCertificate(), r.serverKey()).loadKeyStore("relay", PW);
        assertTrue(ks.isKeyEntry("relay"));
        assertEquals(2, ks.getCertificateChain("relay").length);
    }

    @Test
    void pkcs12IdentityLoads() throws Exception {
        CertificateTool.Result r = CertificateTool.create(dir, List.of("relay.example.com"), false);
        char[] changeit = "changeit".toCharArray();
        KeyStore pem = TlsConfig.pem(r.serverCertificate(), r.serverKey()).loadKeyStore("x", changeit);
        Path p12 = dir.resolve("id.p12");
        try (OutputStream out = Files.newOutputStream(p12)) {
            pem.store(out, changeit);
        }
        Files.writeString(dir.resolve("relay.yaml"), "tls: {pkcs12: id.p12, pkcs12-password: changeit}\n");
        TlsConfig tls = ConfigLoader.load(dir.resolve("relay.yaml")).tls().orElseThrow();
        assertTrue(tls.loadKeyStore("relay", PW).isKeyEntry("relay"));
    }

    @Test
    void keyFileWithoutKeyNamesTheKey() {
        CertificateTool.Result r = CertificateTool.create(dir, List.of("relay.example.com"), false);
        TlsConfig tls = TlsConfig.pem(r.serverCertificate(), r.serverCertificate());
        ConfigException e = assertThrows(ConfigException.class, () -> tls.loadKeyStore("relay", PW));
        assertEquals("tls.private-key: " + r.serverCertificate() + " holds no private key", e.getMessage());
    }

    @Test
    void mismatchNamesTheSection() {
        CertificateTool.Result r = CertificateTool.create(dir, List.of("relay.example.com"), false);
        TlsConfig tls = TlsConfig.pem(r.caCertificate(), r.serverKey());
        ConfigException e = assertThrows(ConfigException.class, () -> tls.loadKeyStore("relay", PW));
        assertTrue(e.getMessage().startsWith("tls: certificate and key do not match"), e.getMessage());
    }

    @Test
    void wrongPkcs12PasswordNamesTheKey() throws Exception {
        Path p12 = dir.resolve("id.p12");
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        try (OutputStream out = Files.newOutputStream(p12)) {
            empty.store(out, "right".toCharArray());
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> TlsConfig.pkcs12(p12, "wrong").loadKeyStore("relay", PW));
        assertTrue(e.getMessage().startsWith("tls.pkcs12: "), e.getMessage());
    }
}
