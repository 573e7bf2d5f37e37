package org.masquerelay.server.certs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {

    @TempDir
    Path dir;

    @Test
    void createsAProperCa() throws Exception {
        Instant now = Instant.parse("2026-01-15T10:00:00Z");
        CertificateAuthority ca = CertificateAuthority.create(dir, false, Clock.fixed(now, ZoneOffset.UTC));
        X509Certificate c = ca.certificate();
        assertTrue(c.getBasicConstraints() >= 0, "CA:true");
        assertTrue(c.getCriticalExtensionOIDs().contains("2.5.29.19"), "basicConstraints is critical");
        boolean[] ku = c.getKeyUsage();
        assertTrue(ku[5] && ku[6], "keyCertSign and cRLSign");
        assertFalse(ku[0], "no digitalSignature");
        assertNotNull(c.getExtensionValue("2.5.29.14"), "subjectKeyIdentifier");
        assertEquals("SHA256withECDSA", c.getSigAlgName());
        assertEquals(256, ((ECPublicKey) c.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        Duration validity = Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant());
        assertTrue(validity.toDays() >= 3652 && validity.toDays() <= 3654, validity.toString());
        c.verify(c.getPublicKey());
        assertEquals(now.minus(Duration.ofHours(1)), c.getNotBefore().toInstant());
    }

    @Test
    void writesPemFilesWithAPrivateKeyOnlyTheOwnerReads() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(dir, false);
        assertTrue(Files.readString(dir.resolve("ca.pem")).startsWith("-----BEGIN CERTIFICATE-----"));
        String key = Files.readString(dir.resolve("ca-key.pem"));
        assertTrue(key.startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.keyPath())));
        }
    }

    @Test
    void loadsWhatItWrote() {
        CertificateAuthority created = CertificateAuthority.create(dir, false);
        CertificateAuthority loaded = CertificateAuthority.load(dir);
        assertEquals(created.certificate(), loaded.certificate());
        assertArrayEquals(created.privateKey().getEncoded(), loaded.privateKey().getEncoded());
    }

    @Test
    void refusesToOverwriteWithoutForce() throws Exception {
        CertificateAuthority first = CertificateAuthority.create(dir, false);
        String before = Files.readString(first.certificatePath());
        CertsException e = assertThrows(CertsException.class, () -> CertificateAuthority.create(dir, false));
        assertTrue(e.getMessage().contains("a CA already exists in " + dir), e.getMessage());
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals(before, Files.readString(first.certificatePath()), "untouched");

        CertificateAuthority second = CertificateAuthority.create(dir, true);
        assertNotEquals(first.certificate(), second.certificate());
        assertEquals(second.certificate(), CertificateAuthority.load(dir).certificate());
    }

    @Test
    void aLoneKeyFileAlsoCountsAsAnExistingCa() throws Exception {
        Files.writeString(dir.resolve("ca-key.pem"), "x");
        assertThrows(CertsException.class, () -> CertificateAuthority.create(dir, false));
    }

    @Test
    void loadExplainsMissingAndMismatchedFiles() {
        CertsException missing = assertThrows(CertsException.class, () -> CertificateAuthority.load(dir));
        assertTrue(missing.getMessage().contains("expected both ca.pem and ca-key.pem"), missing.getMessage());

        CertificateAuthority a = CertificateAuthority.create(dir.resolve("a"), false);
        CertificateAuthority.create(dir.resolve("b"), false);
        Pem.writePrivateKey(dir.resolve("b").resolve("ca-key.pem"), a.privateKey());
        CertsException mismatch = assertThrows(CertsException.class,
                () -> CertificateAuthority.load(dir.resolve("b")));
        assertTrue(mismatch.getMessage().contains("do not match"), mismatch.getMessage());
    }
}
