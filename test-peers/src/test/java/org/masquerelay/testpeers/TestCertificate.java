package org.masquerelay.testpeers;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed EC certificate with subjectAltNames, made by the JDK's keytool: BouncyCastle is not a dependency
 * here, and Netty's SelfSignedCertificate cannot add the IP SAN that host name verification needs.
 */
record TestCertificate(PrivateKey key, X509Certificate certificate, Path pem) {

    /** @param san keytool syntax, e.g. {@code ip:127.0.0.1,dns:localhost} */
    static TestCertificate create(Path dir, String san) throws Exception {
        Path store = dir.resolve("server.p12");
        char[] password = "changeit".toCharArray();
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=test-peers", "-ext", "SAN=" + san,
                "-validity", "30", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        byte[] output = keytool.getInputStream().readAllBytes();
        if (!keytool.waitFor(30, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            keytool.destroyForcibly();
            throw new IllegalStateException("keytool failed: " + new String(output));
        }
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, password);
        }
        X509Certificate certificate = (X509Certificate) keyStore.getCertificate("server");
        Path pem = dir.resolve("server.pem");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        return new TestCertificate((PrivateKey) keyStore.getKey("server", password), certificate, pem);
    }
}
