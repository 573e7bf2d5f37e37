package org.masquerelay.server.certs;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
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
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds one X.509 certificate exactly as told, without judging it: {@link CertificateAuthority} and
 * {@link ServerCertificateIssuer} decide what is correct, and tests use it to make deliberately broken certificates.
 */
final class CertificateBuilder {

    private static final SecureRandom RANDOM = new SecureRandom();

    X500Name subject;
    PublicKey publicKey;
    Instant notBefore;
    Instant notAfter;
    boolean ca;
    int keyUsage;
    boolean serverAuth;
    /** EKU clientAuth (mutual TLS client certificates). */
    boolean clientAuth;
    List<GeneralName> subjectAltNames = new ArrayList<>();
    /** Null: SHA-256 with the signing key's algorithm. */
    String signatureAlgorithm;
    /** Null: self-signed. */
    X509Certificate issuer;
    PrivateKey signingKey;

    X509Certificate build() {
        try {
            X500Name issuerName = issuer == null ? subject : X500Name.getInstance(
                    issuer.getSubjectX500Principal().getEncoded());
            // 127 random bits: unpredictable serials (CA/Browser Forum asks for 64 or more), always positive.
            BigInteger serial = new BigInteger(127, RANDOM).setBit(126);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, serial, Date.from(notBefore),
                    Date.from(notAfter), subject, publicKey);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (keyUsage != 0) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            }
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
            if (issuer != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
            }
            if (serverAuth || clientAuth) {
                List<KeyPurposeId> purposes = new ArrayList<>();
                if (serverAuth) {
                    purposes.add(KeyPurposeId.id_kp_serverAuth);
                }
                if (clientAuth) {
                    purposes.add(KeyPurposeId.id_kp_clientAuth);
                }
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
            }
            if (!subjectAltNames.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(subjectAltNames.toArray(GeneralName[]::new)));
            }
            String algorithm = signatureAlgorithm != null ? signatureAlgorithm : sha256For(signingKey);
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new CertsException("cannot build certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    static String sha256For(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new CertsException("unsupported signing key type " + key.getAlgorithm()
                    + " (use an EC or RSA key)");
        };
    }
}
