package org.masquerelay.server.certs;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Issues client certificates for mutual TLS (a relay with {@code tls.client-ca}): ECDSA P-256, EKU clientAuth, the
 * client's name as CN. The relay logs that subject with every tunnel of the client.
 */
public final class ClientCertificateIssuer {

    private final Clock clock;

    public ClientCertificateIssuer() {
        this(Clock.systemUTC());
    }

    public ClientCertificateIssuer(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param commonName   the client's name (CN)
     * @param validityDays how long the certificate is valid, at least one day
     */
    public IssuedCertificate issue(CertificateAuthority ca, String commonName, int validityDays) {
        if (commonName == null || commonName.isBlank()) {
            throw new CertsException("a client certificate needs a name (CN)");
        }
        if (validityDays < 1) {
            throw new CertsException("validity must be at least 1 day, got " + validityDays);
        }
        CertificateBuilder b = new CertificateBuilder();
        KeyPair keys = KeyType.EC_P256.generate();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        b.subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        b.publicKey = keys.getPublic();
        b.notBefore = now.minus(ServerCertificateIssuer.BACKDATE);
        b.notAfter = b.notBefore.plus(Duration.ofDays(validityDays));
        b.ca = false;
        b.keyUsage = KeyUsage.digitalSignature;
        b.clientAuth = true;
        b.issuer = ca.certificate();
        b.signingKey = ca.privateKey();
        X509Certificate leaf = b.build();
        return new IssuedCertificate(List.of(leaf, ca.certificate()), keys.getPrivate());
    }

    /** The issued certificate as a key store with one entry, as a client engine takes it. */
    public static KeyStore keyStore(IssuedCertificate issued, String alias, char[] password) {
        return Identities.store(issued.privateKey(), issued.chain(), alias, password);
    }

    /**
     * The CA certificates of a PEM file (one or more {@code BEGIN CERTIFICATE} blocks), as {@code tls.client-ca}
     * names it.
     *
     * @throws CertsException naming the file and what is wrong with it
     */
    public static List<X509Certificate> readCaCertificates(Path file) {
        List<X509Certificate> certificates;
        try {
            certificates = Pem.readCertificates(file);
        } catch (IOException e) {
            throw new CertsException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new CertsException(file + " holds no certificate (expected one or more"
                    + " '-----BEGIN CERTIFICATE-----' blocks of the CAs that issue client certificates)");
        }
        for (X509Certificate c : certificates) {
            if (c.getBasicConstraints() < 0) {
                throw new CertsException(file + " holds " + c.getSubjectX500Principal().getName()
                        + ", which is not a CA certificate (basicConstraints CA:TRUE); give the CA that issued the"
                        + " client certificates, not a client certificate");
            }
        }
        return List.copyOf(certificates);
    }
}
