package org.masquerelay.server.certs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateToolTest {

    @TempDir
    Path dir;

    @Test
    void createsCaAndServerCertificate() throws Exception {
        CertificateTool.Result r = CertificateTool.create(dir, List.of("relay.example.com", "192.0.2.1"), false);
        assertTrue(r.caCreated());
        assertEquals(List.of(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"), dir.resolve("server.pem"),
                dir.resolve("server-key.pem")), r.written());
        for (Path p : r.written()) {
            assertTrue(Files.size(p) > 0, p.toString());
        }
        List<java.security.cert.X509Certificate> chain = Pem.readCertificates(r.serverCertificate());
        assertEquals(List.of(), CertificateCheck.check(chain, "192.0.2.1",
                CertificateAuthority.load(dir).certificate()));
    }

    @Test
    void reusesTheCaUnlessForced() {
        CertificateTool.Result first = CertificateTool.create(dir, List.of("a.example"), false);
        var ca1 = CertificateAuthority.load(dir).certificate();
        CertificateTool.Result second = CertificateTool.create(dir, List.of("b.example"), false);
        assertFalse(second.caCreated());
        assertEquals(List.of(first.serverCertificate(), first.serverKey()), second.written());
        assertEquals(ca1, CertificateAuthority.load(dir).certificate(), "devices keep trusting the same CA");
        CertificateTool.Result forced = CertificateTool.create(dir, List.of("b.example"), true);
        assertTrue(forced.caCreated());
        assertNotEquals(ca1, CertificateAuthority.load(dir).certificate());
    }

    @Test
    void badHostWritesNothing() throws Exception {
        assertThrows(CertsException.class, () -> CertificateTool.create(dir, List.of("ok.example", "not ok"), false));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }
}
