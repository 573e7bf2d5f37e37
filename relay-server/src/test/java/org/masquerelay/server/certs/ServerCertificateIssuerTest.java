package org.masquerelay.server.certs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCertificateIssuerTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;
    private CertificateAuthority ca;
    private final ServerCertificateIssuer issuer = new ServerCertificateIssuer(Clock.fixed(NOW, ZoneOffset.UTC));

    @BeforeEach
    void makeCa() {
        ca = CertificateAuthority.create(dir, false, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void subjectAltNamesHoldNamesAndIpLiteralsByType() throws Exception {
        X509Certificate leaf = issuer.issue(ca,
                List.of("Relay.Example.com.", "192.0.2.10", "[2001:db8::7]", "localhost", "::1"),
                ServerCertificateIssuer.Options.defaults()).leaf();
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (List<?> san : leaf.getSubjectAlternativeNames()) {
            ((Integer) san.get(0) == 2 ? dns : ips).add(((String) san.get(1)).toLowerCase());
        }
        assertEquals(List.of("relay.example.com", "localhost"), dns);
        assertEquals(List.of("192.0.2.10", "2001:db8:0:0:0:0:0:7", "0:0:0:0:0:0:0:1"), ips);
        assertEquals("CN=relay.example.com", leaf.getSubjectX500Principal().getName());
    }

    @Test
    void followsApplesRules() throws Exception {
        IssuedCertificate issued = issuer.issue(ca, List.of("relay.example.com"),
                ServerCertificateIssuer.Options.defaults());
        X509Certificate leaf = issued.leaf();
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), leaf.getExtendedKeyUsage());
        boolean[] ku = leaf.getKeyUsage();
        assertTrue(ku[0], "digitalSignature");
        assertFalse(ku[2], "no keyEncipherment for ECDSA");
        assertFalse(ku[5], "not a CA");
        assertEquals(-1, leaf.getBasicConstraints(), "CA:false");
        assertEquals("SHA256withECDSA", leaf.getSigAlgName());
        assertEquals(NOW.minus(Duration.ofHours(1)), leaf.getNotBefore().toInstant());
        assertEquals(Duration.ofDays(397), Duration.between(leaf.getNotBefore().toInstant(),
                leaf.getNotAfter().toInstant()));
        leaf.verify(ca.certificate().getPublicKey());
        assertEquals(List.of(leaf, ca.certificate()), issued.chain());

        byte[] aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(
                leaf.getExtensionValue("2.5.29.35")).getOctets()).getKeyIdentifierOctets();
        byte[] caSki = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
                ca.certificate().getExtensionValue("2.5.29.14")).getOctets()).getKeyIdentifier();
        assertArrayEquals(caSki, aki);
        assertEquals(List.of(), CertificateCheck.check(issued.chain(), "relay.example.com", ca.certificate(), NOW));
    }

    @Test
    void rsaLeafHasKeyEnciphermentAndTheChosenSize() {
        X509Certificate leaf = issuer.issue(ca, List.of("relay.example.com"),
                new ServerCertificateIssuer.Options(KeyType.RSA_2048, 90)).leaf();
        assertEquals(2048, ((RSAPublicKey) leaf.getPublicKey()).getModulus().bitLength());
        assertTrue(leaf.getKeyUsage()[2], "keyEncipherment");
        assertEquals(Duration.ofDays(90), Duration.between(leaf.getNotBefore().toInstant(),
                leaf.getNotAfter().toInstant()));
    }

    @Test
    void refusesValidityAppleWouldReject() {
        CertsException e = assertThrows(CertsException.class,
                () -> new ServerCertificateIssuer.Options(KeyType.EC_P256, 399));
        assertTrue(e.getMessage().contains("1..398 days"), e.getMessage());
        assertThrows(CertsException.class, () -> new ServerCertificateIssuer.Options(KeyType.EC_P256, 0));
    }

    @Test
    void refusesBadHosts() {
        assertThrows(CertsException.class,
                () -> issuer.issue(ca, List.of(), ServerCertificateIssuer.Options.defaults()));
        CertsException e = assertThrows(CertsException.class,
                () -> issuer.issue(ca, List.of("bad host"), ServerCertificateIssuer.Options.defaults()));
        assertTrue(e.getMessage().contains("'bad host'"), e.getMessage());
    }

    @Test
    void writesServerPemWithTheChainAndAPkcs8Key() throws Exception {
        IssuedCertificate issued = issuer.issue(ca, List.of("relay.example.com"),
                ServerCertificateIssuer.Options.defaults());
        List<Path> written = issued.writeTo(dir);
        assertEquals(List.of(dir.resolve("server.pem"), dir.resolve("server-key.pem")), written);
        assertEquals(issued.chain(), Pem.readCertificates(dir.resolve("server.pem")));
        assertTrue(Files.readString(dir.resolve("server-key.pem")).startsWith("-----BEGIN PRIVATE KEY-----"));
    }
}
