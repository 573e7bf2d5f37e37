package org.masquerelay.server.config;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.masquerelay.server.certs.CertsException;
import org.masquerelay.server.certs.ClientCertificateIssuer;

/**
 * Mutual TLS ({@code tls.client-ca}): every client must present a certificate issued by one of these CAs, or the
 * handshake fails with a TLS alert. Needs the quiche engine; Kwik's server cannot ask for client certificates.
 *
 * @param file         the PEM file the CAs came from
 * @param certificates the CA certificates, at least one
 */
public record ClientCaConfig(Path file, List<X509Certificate> certificates) {

    public static final String KEY = "tls.client-ca";

    public ClientCaConfig {
        Objects.requireNonNull(file, "file");
        certificates = List.copyOf(certificates);
        if (certificates.isEmpty()) {
            throw new ConfigException(KEY, file + " holds no certificate");
        }
    }

    /** Reads the PEM file; every problem is reported against {@code tls.client-ca}. */
    public static ClientCaConfig load(Path file) {
        ConfigFiles.requireReadableFile(KEY, file);
        try {
            return new ClientCaConfig(file, ClientCertificateIssuer.readCaCertificates(file));
        } catch (CertsException e) {
            throw new ConfigException(KEY, e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return file + " (" + certificates.size() + (certificates.size() == 1 ? " CA)" : " CAs)");
    }
}
