package org.masquerelay.testpeers;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

/**
 * A throwaway CA that issues EC P-256 certificates for tests: a server identity (localhost, 127.0.0.1) and client
 * identities, for the engine modules' own tests (which cannot use the relay's certificate tool).
 */
public final class TestPki {
    public static final char[] PASSWORD = "test".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    public final KeyPair caKeys;
    public final X509Certificate ca;

    public TestPki(String name) throws Exception {
        caKeys = newKeyPair();
        ca = certificate(new X500Name("CN=" + name), caKeys, null, null, true, false);
    }

    /** Alias "relay", password {@link #PASSWORD}. */
    public KeyStore serverIdentity() throws Exception {
        return identity("relay", "localhost", true);
    }

    public KeyStore clientIdentity(String commonName) throws Exception {
        return identity("client", commonName, false);
    }

    private KeyStore identity(String alias, String commonName, boolean server) throws Exception {
        KeyPair keys = newKeyPair();
        X509Certificate leaf = certificate(new X500Name("CN=" + commonName), keys, ca, caKeys, false, server);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, keys.getPrivate(), PASSWORD, new Certificate[] {leaf, ca});
        return ks;
    }

    private static KeyPair newKeyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate certificate(X500Name subject, KeyPair keys, X509Certificate issuer, KeyPair issuerKeys,
                                               boolean isCa, boolean server) throws Exception {
        Instant now = Instant.now();
        X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(64, RANDOM).setBit(63),
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (server) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        KeyPair signer = issuerKeys == null ? keys : issuerKeys;
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }
}
