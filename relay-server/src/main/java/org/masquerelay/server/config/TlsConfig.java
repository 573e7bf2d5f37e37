package org.masquerelay.server.config;

import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Objects;
import org.masquerelay.server.certs.IdentityException;
import org.masquerelay.server.certs.Identities;

/** Where the relay's TLS identity comes from: a PEM certificate chain and key, or a PKCS#12 file. */
public sealed interface TlsConfig permits TlsConfig.PemFiles, TlsConfig.Pkcs12File {

    /**
     * @param certificate PEM chain, leaf first
     * @param privateKey  PEM key, EC or RSA, PKCS#8 or traditional
     */
    record PemFiles(Path certificate, Path privateKey) implements TlsConfig {
        public PemFiles {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    /**
     * @param file     the PKCS#12 identity
     * @param password its password (may be empty)
     */
    record Pkcs12File(Path file, String password) implements TlsConfig {
        public Pkcs12File {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(password, "password");
        }

        /** Without the password, so the configuration can be logged. */
        @Override
        public String toString() {
            return "Pkcs12File[file=" + file + ", password=***]";
        }
    }

    /**
     * Loads the identity into an in-memory key store with one entry under {@code alias}; problems are reported
     * against the configuration key of the file at fault, e.g. "tls.private-key: /x/y.pem holds no private key".
     */
    default KeyStore loadKeyStore(String alias, char[] password) {
        try {
            return switch (this) {
                case PemFiles p -> Identities.fromPem(p.certificate(), p.privateKey(), alias, password);
                case Pkcs12File p -> Identities.fromPkcs12(p.file(), p.password().toCharArray(), alias, password);
            };
        } catch (IdentityException e) {
            String key = switch (e.source()) {
                case CERTIFICATE -> "tls.certificate";
                case PRIVATE_KEY -> "tls.private-key";
                case PKCS12 -> "tls.pkcs12";
                case CERTIFICATE_AND_KEY -> "tls";
            };
            throw new ConfigException(key, e.getMessage(), e);
        }
    }

    /**
     * A PEM identity whose files exist and are readable; errors name tls.certificate / tls.private-key. Use it for
     * command-line overrides too, so a wrong path fails at start-up.
     */
    static PemFiles pem(Path certificate, Path privateKey) {
        ConfigFiles.requireReadableFile("tls.certificate", certificate);
        ConfigFiles.requireReadableFile("tls.private-key", privateKey);
        return new PemFiles(certificate, privateKey);
    }

    /** A PKCS#12 identity whose file exists and is readable; errors name tls.pkcs12. */
    static Pkcs12File pkcs12(Path file, String password) {
        ConfigFiles.requireReadableFile("tls.pkcs12", file);
        return new Pkcs12File(file, password);
    }
}
