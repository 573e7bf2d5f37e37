package org.masquerelay.server.certs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdentitiesTest {

    private static final char[] PW = "pw".toCharArray();

    @TempDir
    Path dir;
    private CertificateAuthority ca;

    @BeforeEach
    void makeCa() {
        ca = CertificateAuthority.create(dir.resolve("ca"), false);
    }

    @Test
    void roundTripFromCaToKeyStore() throws Exception {
        CertificateTool.Result r = CertificateTool.create(dir.resolve("ca"), List.of("relay.example.com"), false);
        KeyStore ks = Identities.fromPem(r.serverCertificate(), r.serverKey(), "relay", PW);
        assertEquals("PKCS12", ks.getType());
        assertTrue(ks.isKeyEntry("relay"));
        Certificate[] chain = ks.getCertificateChain("relay");
        assertEquals(2, chain.length);
        assertEquals(ca.certificate(), chain[1]);
        chain[0].verify(ca.certificate().getPublicKey());
        PrivateKey key = (PrivateKey) ks.getKey("relay", PW);
        assertEquals("secp256r1", Identities.ecCurveName(key));
        assertEquals(List.of(chain[0], chain[1]), Identities.chain(ks, "relay"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"EC_P256, pkcs8, BEGIN PRIVATE KEY", "EC_P256, traditional, BEGIN EC PRIVATE KEY",
            "RSA_2048, pkcs8, BEGIN PRIVATE KEY", "RSA_2048, traditional, BEGIN RSA PRIVATE KEY"})
    void readsEcAndRsaKeysInBothEncodings(KeyType type, String encoding, String header) throws Exception {
        IssuedCertificate issued = new ServerCertificateIssuer().issue(ca, List.of("relay.example.com"),
                new ServerCertificateIssuer.Options(type, 30));
        Path cert = TestCerts.writeChain(dir.resolve("server.pem"), issued.chain());
        Path key = dir.resolve("key.pem");
        if (encoding.equals("pkcs8")) {
            Pem.writePrivateKey(key, issued.privateKey());
        } else {
            TestCerts.writeTraditional(key, issued.privateKey(), issued.leaf().getPublicKey());
        }
        assertTrue(Files.readString(key).startsWith("-----" + header + "-----"), Files.readString(key));
        KeyStore ks = Identities.fromPem(cert, key, "a", PW);
        PrivateKey loaded = (PrivateKey) ks.getKey("a", PW);
        // Encodings may differ (SEC1 carries the public key too); the key itself must be the same.
        assertTrue(KeyMatch.matches(loaded, issued.leaf().getPublicKey()));
        assertEquals(issued.privateKey().getAlgorithm(), loaded.getAlgorithm());
        assertEquals(type.isRsa() ? null : "secp256r1", Identities.ecCurveName(loaded));
    }

    @Test
    void skipsTheEcParametersBlockOpensslWrites() throws Exception {
        IssuedCertificate issued = new ServerCertificateIssuer().issue(ca, List.of("relay.example.com"),
                ServerCertificateIssuer.Options.defaults());
        Path cert = TestCerts.writeChain(dir.resolve("server.pem"), issued.chain());
        Path key = TestCerts.writeTraditional(dir.resolve("key.pem"), issued.privateKey(),
                issued.leaf().getPublicKey());
        // "openssl ecparam -genkey" puts the curve first.
        Files.writeString(key, "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + Files.readString(key));
        assertTrue(Identities.fromPem(cert, key, "a", PW).isKeyEntry("a"));
    }

    @Test
    void keyFileWithoutKeyIsNamed() throws Exception {
        CertificateTool.Result r = CertificateTool.create(dir.resolve("ca"), List.of("relay.example.com"), false);
        IdentityException e = assertThrows(IdentityException.class,
                () -> Identities.fromPem(r.serverCertificate(), r.serverCertificate(), "a", PW));
        assertEquals(r.serverCertificate() + " holds no private key", e.getMessage());
        assertEquals(IdentityException.Source.PRIVATE_KEY, e.source());
        IdentityException noCert = assertThrows(IdentityException.class,
                () -> Identities.fromPem(r.serverKey(), r.serverKey(), "a", PW));
        assertEquals(IdentityException.Source.CERTIFICATE, noCert.source());
        assertTrue(noCert.getMessage().contains("holds no certificate"), noCert.getMessage());
    }

    @Test
    void mismatchedKeyIsRefused() {
        CertificateTool.Result r = CertificateTool.create(dir.resolve("ca"), List.of("relay.example.com"), false);
        IdentityException e = assertThrows(IdentityException.class,
                () -> Identities.fromPem(r.serverCertificate(), r.caKey(), "a", PW));
        assertTrue(e.getMessage().startsWith("certificate and key do not match"), e.getMessage());
        assertTrue(e.getMessage().contains("belongs to certificate 2"), "the CA key matches the 2nd certificate");
        assertEquals(IdentityException.Source.CERTIFICATE_AND_KEY, e.source());
    }

    @Test
    void encryptedKeyIsExplained() throws Exception {
        IssuedCertificate issued = new ServerCertificateIssuer().issue(ca, List.of("relay.example.com"),
                ServerCertificateIssuer.Options.defaults());
        Path cert = TestCerts.writeChain(dir.resolve("server.pem"), issued.chain());
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(issued.privateKey(),
                    new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                            .setProvider(new BouncyCastleProvider()).setPassword(PW).build()));
        }
        Path key = Files.writeString(dir.resolve("enc.pem"), out.toString());
        IdentityException e = assertThrows(IdentityException.class, () -> Identities.fromPem(cert, key, "a", PW));
        assertTrue(e.getMessage().contains("the private key is encrypted"), e.getMessage());
    }

    @Test
    void loadsPkcs12UnderTheRequestedAlias() throws Exception {
        IssuedCertificate issued = new ServerCertificateIssuer().issue(ca, List.of("relay.example.com"),
                ServerCertificateIssuer.Options.defaults());
        Path p12 = writePkcs12(issued, "some-other-alias", "changeit".toCharArray());
        KeyStore ks = Identities.fromPkcs12(p12, "changeit".toCharArray(), "relay", PW);
        assertTrue(ks.isKeyEntry("relay"));
        assertEquals(issued.chain(), Identities.chain(ks, "relay"));
        assertArrayEquals(issued.privateKey().getEncoded(), ks.getKey("relay", PW).getEncoded());
    }

    @Test
    void pkcs12WrongPasswordIsSaid() throws Exception {
        IssuedCertificate issued = new ServerCertificateIssuer().issue(ca, List.of("relay.example.com"),
                ServerCertificateIssuer.Options.defaults());
        Path p12 = writePkcs12(issued, "x", "changeit".toCharArray());
        IdentityException e = assertThrows(IdentityException.class,
                () -> Identities.fromPkcs12(p12, "wrong".toCharArray(), "relay", PW));
        assertTrue(e.getMessage().contains("password"), e.getMessage());
        assertEquals(IdentityException.Source.PKCS12, e.source());
    }

    @Test
    void pkcs12WithoutKeyIsSaid() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca.certificate());
        Path p12 = dir.resolve("ca-only.p12");
        try (OutputStream out = Files.newOutputStream(p12)) {
            ks.store(out, PW);
        }
        IdentityException e = assertThrows(IdentityException.class,
                () -> Identities.fromPkcs12(p12, PW, "relay", PW));
        assertEquals(p12 + " holds no private key", e.getMessage());
    }

    @Test
    void curveNames() throws Exception {
        for (String curve : List.of("secp256r1", "secp384r1", "secp521r1")) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            assertEquals(curve, Identities.ecCurveName(g.generateKeyPair().getPrivate()));
        }
        assertNull(Identities.ecCurveName(TestCerts.rsa(2048).getPrivate()));
    }

    private Path writePkcs12(IssuedCertificate issued, String alias, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, issued.privateKey(), password, issued.chain().toArray(Certificate[]::new));
        Path p12 = dir.resolve("identity.p12");
        try (OutputStream out = Files.newOutputStream(p12)) {
            ks.store(out, password);
        }
        return p12;
    }
}
