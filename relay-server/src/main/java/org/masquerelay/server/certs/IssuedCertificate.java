package org.masquerelay.server.certs;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A server certificate with its chain and key.
 *
 * @param chain      leaf first, then the CA
 * @param privateKey the leaf's key
 */
public record IssuedCertificate(List<X509Certificate> chain, PrivateKey privateKey) {

    public static final String CERTIFICATE_FILE = "server.pem";
    public static final String KEY_FILE = "server-key.pem";

    public IssuedCertificate {
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** Writes {@code server.pem} (leaf + chain) and {@code server-key.pem} (PKCS#8, owner-only), replacing them. */
    public List<Path> writeTo(Path directory) {
        Path cert = directory.resolve(CERTIFICATE_FILE);
        Path key = directory.resolve(KEY_FILE);
        Pem.writePrivateKey(key, privateKey);
        Pem.writeCertificates(cert, chain);
        return List.of(cert, key);
    }
}
