package org.masquerelay.interop.variants;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.masquerelay.server.certs.CertificateAuthority;
import org.masquerelay.server.certs.KeyType;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates for the faulty relays: the dev CA that the relay under test uses (the "installed root"), a second CA
 * nobody installed, and server certificates that are right except for one thing. Built with BouncyCastle here
 * because relay-server's own builder refuses (rightly) to issue broken ones.
 */
public final class TestPki {
    public static final String ALIAS = "server";
    public static final char[] PASSWORD = "test".toCharArray();
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    /** One thing wrong (or nothing). */
    public enum Flaw { NONE, UNTRUSTED_ROOT, NO_SAN, DNS_SAN_ONLY, EXPIRED, NO_SERVER_AUTH_EKU, VALIDITY_900_DAYS }

    private final CertificateAuthority installed;
    private final CertificateAuthority stranger;

    /** @param caDir a folder holding the dev CA (ca.pem, ca-key.pem), e.g. the relay's dev state folder */
    public TestPki(Path caDir, Path scratch) {
        this.installed = CertificateAuthority.load(caDir);
        this.stranger = CertificateAuthority.create(scratch.resolve("untrusted-ca"), true);
    }

    public X509Certificate root() {
        return installed.certificate();
    }

    /** A key store with a server identity for 127.0.0.1/localhost/::1 that has the given flaw. */
    public KeyStore identity(Flaw flaw) {
        try {
            CertificateAuthority issuer = flaw == Flaw.UNTRUSTED_ROOT ? stranger : installed;
            KeyPair keys = KeyType.EC_P256.generate();
            Instant now = Instant.now();
            Instant notBefore = flaw == Flaw.EXPIRED ? now.minus(Duration.ofDays(30)) : now.minus(Duration.ofHours(1));
            Instant notAfter = switch (flaw) {
                case EXPIRED -> now.minus(Duration.ofDays(1));
                case VALIDITY_900_DAYS -> notBefore.plus(Duration.ofDays(900));
                default -> notBefore.plus(Duration.ofDays(397));
            };
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
                    new X500Name("CN=127.0.0.1"), keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            if (flaw != Flaw.NO_SERVER_AUTH_EKU) {
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            }
            List<GeneralName> sans = switch (flaw) {
                case NO_SAN -> List.of();
                case DNS_SAN_ONLY -> List.of(new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.dNSName, "127.0.0.1"));
                default -> List.of(new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.iPAddress, "::1"));
            };
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.privateKey())));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, keys.getPrivate(), PASSWORD, new Certificate[]{leaf, issuer.certificate()});
            return ks;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate (" + flaw + "): " + e, e);
        }
    }
}
