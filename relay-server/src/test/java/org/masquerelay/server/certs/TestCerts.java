package org.masquerelay.server.certs;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** Helpers that make certificates, good or deliberately broken, for the tests of this package. */
final class TestCerts {

    private TestCerts() {
    }

    /** A leaf builder preset like the issuer's output; tests then break one thing. */
    static CertificateBuilder goodLeaf(CertificateAuthority ca, String host, Instant now) {
        CertificateBuilder b = new CertificateBuilder();
        KeyPair keys = KeyType.EC_P256.generate();
        b.subject = new X500Name("CN=" + host);
        b.publicKey = keys.getPublic();
        b.notBefore = now.minus(Duration.ofHours(1));
        b.notAfter = now.plus(Duration.ofDays(300));
        b.keyUsage = KeyUsage.digitalSignature;
        b.serverAuth = true;
        b.subjectAltNames.addAll(SubjectAltNames.of(List.of(host)));
        b.issuer = ca.certificate();
        b.signingKey = ca.privateKey();
        return b;
    }

    static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    /**
     * The traditional OpenSSL encoding: "BEGIN RSA PRIVATE KEY" (PKCS#1), or "BEGIN EC PRIVATE KEY" (SEC1) with the
     * curve and public key inside, as {@code openssl ecparam -genkey} writes it.
     */
    static Path writeTraditional(Path file, PrivateKey key, PublicKey publicKey) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            if (key instanceof ECPrivateKey ec) {
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                DERBitString pub = new DERBitString(
                        SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData().getBytes());
                org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                        ec.getParams().getOrder().bitLength(), ec.getS(), pub,
                        info.getPrivateKeyAlgorithm().getParameters());
                w.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } else {
                w.writeObject(key);
            }
        }
        Files.writeString(file, out.toString());
        return file;
    }

    static Path writeChain(Path file, List<X509Certificate> chain) {
        Pem.writeCertificates(file, chain);
        return file;
    }
}
