package org.masquerelay.server.certs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.certs.CertificateCheck.Kind;
import org.masquerelay.server.certs.CertificateCheck.Problem;

class CertificateCheckTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String HOST = "relay.example.com";

    @TempDir
    Path dir;
    private CertificateAuthority ca;

    @BeforeEach
    void makeCa() {
        ca = CertificateAuthority.create(dir, false, Clock.fixed(NOW.minus(Duration.ofDays(10)), ZoneOffset.UTC));
    }

    private List<Problem> check(CertificateBuilder leaf, String host) {
        X509Certificate c = leaf.build();
        return CertificateCheck.check(List.of(c, ca.certificate()), host, ca.certificate(), NOW);
    }

    private static List<Kind> kinds(List<Problem> problems) {
        return problems.stream().map(Problem::kind).toList();
    }

    @Test
    void goodCertificateHasNoProblem() {
        assertEquals(List.of(), check(TestCerts.goodLeaf(ca, HOST, NOW), HOST));
    }

    @Test
    void hostNotInSan() {
        List<Problem> p = check(TestCerts.goodLeaf(ca, HOST, NOW), "other.example.com");
        assertEquals(List.of(Kind.HOST_NOT_IN_SAN), kinds(p));
        assertTrue(p.get(0).message().contains("other.example.com"), p.get(0).message());
    }

    @Test
    void cnAloneDoesNotCount() {
        CertificateBuilder b = TestCerts.goodLeaf(ca, HOST, NOW);
        b.subjectAltNames.clear();
        assertEquals(List.of(Kind.HOST_NOT_IN_SAN), kinds(check(b, HOST)));
    }

    @Test
    void wildcardCoversOneLabel() {
        CertificateBuilder b = TestCerts.goodLeaf(ca, HOST, NOW);
        b.subjectAltNames.clear();
        b.subjectAltNames.add(TestCerts.dns("*.example.com"));
        X509Certificate c = b.build();
        assertEquals(List.of(), CertificateCheck.check(List.of(c), "relay.example.com", null, NOW));
        assertEquals(List.of(Kind.HOST_NOT_IN_SAN),
                kinds(CertificateCheck.check(List.of(c), "a.relay.example.com", null, NOW)));
        assertEquals(List.of(Kind.HOST_NOT_IN_SAN), kinds(CertificateCheck.check(List.of(c), "example.com", null, NOW)));
    }

    @Test
    void ipHostNeedsAnIpSan() {
        CertificateBuilder b = TestCerts.goodLeaf(ca, HOST, NOW);
        b.subjectAltNames.add(TestCerts.dns("192.0.2.1"));
        List<Problem> p = check(b, "192.0.2.1");
        assertEquals(List.of(Kind.IP_HOST_WITHOUT_IP_SAN), kinds(p));
        assertTrue(p.get(0).message().contains("listed as a DNS name"), p.get(0).message());

        CertificateBuilder withIp = TestCerts.goodLeaf(ca, "2001:db8::1", NOW);
        assertEquals(List.of(), check(withIp, "[2001:DB8:0::1]"));
    }

    @Test
    void missingServerAuth() {
        CertificateBuilder b = TestCerts.goodLeaf(ca, HOST, NOW);
        b.serverAuth = false;
        assertEquals(List.of(Kind.MISSING_SERVER_AUTH_EKU), kinds(check(b, HOST)));
    }

    @Test
    void validityOver398And825Days() {
        CertificateBuilder b = TestCerts.goodLeaf(ca, HOST, NOW);
        b.notAfter = b.notBefore.plus(Duration.ofDays(399));
        assertEquals(List.of(Kind.VALIDITY_OVER_398_DAYS), kinds(check(b, HOST)));
        CertificateBuilder c = TestCerts.goodLeaf(ca, HOST, NOW);
        c.notAfter = c.notBefore.plus(Duration.ofDays(826));
        assertEquals(List.of(Kind.VALIDITY_OVER_825_DAYS), kinds(check(c, HOST)));
        CertificateBuilder ok = TestCerts.goodLeaf(ca, HOST, NOW);
        ok.notAfter = ok.notBefore.plus(Duration.ofDays(398));
        assertEquals(List.of(), check(ok, HOST));
    }

    @Test
    void expiredAndNotYetValid() {
        CertificateBuilder expired = TestCerts.goodLeaf(ca, HOST, NOW);
        expired.notBefore = NOW.minus(Duration.ofDays(5));
        expired.notAfter = NOW.minus(Duration.ofDays(1));
        assertEquals(List.of(Kind.EXPIRED), kinds(check(expired, HOST)));
        CertificateBuilder future = TestCerts.goodLeaf(ca, HOST, NOW);
        future.notBefore = NOW.plus(Duration.ofDays(1));
        future.notAfter = NOW.plus(Duration.ofDays(5));
        assertEquals(List.of(Kind.NOT_YET_VALID), kinds(check(future, HOST)));
    }

    @Test
    void smallRsaKey() throws Exception {
        CertificateBuilder b = TestCerts.goodLeaf(ca, HOST, NOW);
        KeyPair small = TestCerts.rsa(1024);
        b.publicKey = small.getPublic();
        List<Problem> p = check(b, HOST);
        assertEquals(List.of(Kind.RSA_KEY_TOO_SMALL), kinds(p));
        assertTrue(p.get(0).message().contains("1024-bit"), p.get(0).message());
    }

    @Test
    void sha1Signature() throws Exception {
        // An RSA CA, since the check is about the hash, and SHA-1 with RSA is what old tooling produced.
        KeyPair caKeys = TestCerts.rsa(2048);
        CertificateBuilder caBuilder = new CertificateBuilder();
        caBuilder.subject = new X500Name("CN=Old CA");
        caBuilder.publicKey = caKeys.getPublic();
        caBuilder.notBefore = NOW.minus(Duration.ofDays(1));
        caBuilder.notAfter = NOW.plus(Duration.ofDays(1000));
        caBuilder.ca = true;
        caBuilder.signatureAlgorithm = "SHA1withRSA";
        caBuilder.signingKey = caKeys.getPrivate();
        X509Certificate oldCa = caBuilder.build();
        CertificateBuilder b = TestCerts.goodLeaf(ca, HOST, NOW);
        b.issuer = oldCa;
        b.signingKey = caKeys.getPrivate();
        b.signatureAlgorithm = "SHA1withRSA";
        List<Problem> p = CertificateCheck.check(List.of(b.build(), oldCa), HOST, oldCa, NOW);
        assertEquals(List.of(Kind.WEAK_SIGNATURE), kinds(p), "the self-signed root's SHA-1 is not a problem");
    }

    @Test
    void signedByAnotherCa() {
        CertificateAuthority other = CertificateAuthority.create(dir.resolve("other"), false);
        X509Certificate leaf = TestCerts.goodLeaf(other, HOST, NOW).build();
        assertEquals(List.of(Kind.NOT_SIGNED_BY_CA),
                kinds(CertificateCheck.check(List.of(leaf), HOST, ca.certificate(), NOW)));
        // A chain whose leaf was not signed by the certificate that follows it.
        assertEquals(List.of(Kind.CHAIN_BROKEN),
                kinds(CertificateCheck.check(List.of(leaf, ca.certificate()), HOST, ca.certificate(), NOW)));
    }

    @Test
    void everyProblemAtOnce() throws Exception {
        CertificateAuthority other = CertificateAuthority.create(dir.resolve("other"), false);
        CertificateBuilder b = TestCerts.goodLeaf(other, HOST, NOW);
        b.subjectAltNames.clear();
        b.serverAuth = false;
        b.publicKey = TestCerts.rsa(1024).getPublic();
        b.notBefore = NOW.minus(Duration.ofDays(900));
        b.notAfter = NOW.minus(Duration.ofDays(1));
        List<Problem> p = CertificateCheck.check(List.of(b.build()), HOST, ca.certificate(), NOW);
        assertEquals(List.of(Kind.HOST_NOT_IN_SAN, Kind.MISSING_SERVER_AUTH_EKU, Kind.VALIDITY_OVER_825_DAYS,
                Kind.EXPIRED, Kind.RSA_KEY_TOO_SMALL, Kind.NOT_SIGNED_BY_CA), kinds(p));
    }
}
