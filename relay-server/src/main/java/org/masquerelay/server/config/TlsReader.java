package org.masquerelay.server.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** The {@code tls} section: PEM certificate + key, or a PKCS#12 file with its password. */
final class TlsReader {

    static final Set<String> KEYS = Set.of("certificate", "private-key", "pkcs12", "pkcs12-password",
            "pkcs12-password-file", "client-ca");

    private TlsReader() {
    }

    /** {@code tls.client-ca}: the CAs of mutual TLS, read and checked now; empty when the key is absent. */
    static Optional<ClientCaConfig> clientCa(YamlSection s, Path baseDir) {
        s.allowOnly(KEYS);
        if (!s.has("client-ca")) {
            return Optional.empty();
        }
        return Optional.of(ClientCaConfig.load(ConfigFiles.resolve(baseDir, s.string("client-ca").orElseThrow())));
    }

    /** Whether the section names an identity (tls.client-ca alone leaves it to --cert/--key). */
    static boolean hasIdentity(YamlSection s) {
        return KEYS.stream().filter(k -> !k.equals("client-ca")).anyMatch(s::has);
    }

    static TlsConfig read(YamlSection s, Path baseDir) {
        s.allowOnly(KEYS);
        boolean pem = s.has("certificate") || s.has("private-key");
        boolean p12 = s.has("pkcs12") || s.has("pkcs12-password") || s.has("pkcs12-password-file");
        if (pem && p12) {
            throw new ConfigException("tls", "give either certificate + private-key (PEM) or pkcs12, not both");
        }
        if (p12) {
            return pkcs12(s, baseDir);
        }
        if (!pem) {
            throw new ConfigException("tls", "empty; give certificate + private-key, or pkcs12 + its password");
        }
        if (!s.has("certificate")) {
            throw new ConfigException("tls.certificate", "missing; tls.private-key needs the certificate chain that"
                    + " goes with it");
        }
        if (!s.has("private-key")) {
            throw new ConfigException("tls.private-key", "missing; tls.certificate needs its private key");
        }
        return TlsConfig.pem(ConfigFiles.resolve(baseDir, s.string("certificate").orElseThrow()),
                ConfigFiles.resolve(baseDir, s.string("private-key").orElseThrow()));
    }

    private static TlsConfig pkcs12(YamlSection s, Path baseDir) {
        if (!s.has("pkcs12")) {
            throw new ConfigException("tls.pkcs12", "missing; a PKCS#12 password was given without the file");
        }
        boolean inline = s.has("pkcs12-password");
        boolean fromFile = s.has("pkcs12-password-file");
        if (inline && fromFile) {
            throw new ConfigException("tls.pkcs12-password", "give pkcs12-password or pkcs12-password-file, not both");
        }
        if (!inline && !fromFile) {
            throw new ConfigException("tls.pkcs12-password", "missing; a PKCS#12 file needs its password"
                    + " (pkcs12-password, or pkcs12-password-file to keep it out of this file)");
        }
        Path file = ConfigFiles.resolve(baseDir, s.string("pkcs12").orElseThrow());
        // Check the identity file first: a wrong path is the likelier mistake and its message is the more useful one.
        ConfigFiles.requireReadableFile("tls.pkcs12", file);
        String password = inline ? s.string("pkcs12-password").orElseThrow()
                : ConfigFiles.readSecret("tls.pkcs12-password-file",
                ConfigFiles.resolve(baseDir, s.string("pkcs12-password-file").orElseThrow()));
        return TlsConfig.pkcs12(file, password);
    }
}
