package org.masquerelay.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The {@code auth} section. */
final class AuthReader {

    static final Set<String> KEYS = Set.of("header", "credentials", "credentials-file", "failure-status",
            "client-certificate");

    private AuthReader() {
    }

    static AuthConfig read(YamlSection s, Path baseDir) {
        s.allowOnly(KEYS);
        List<String> credentials = new ArrayList<>(s.stringList("credentials"));
        for (int i = 0; i < credentials.size(); i++) {
            if (credentials.get(i).isBlank()) {
                throw new ConfigException("auth.credentials[" + i + "]", "is empty");
            }
        }
        // Both may be given: the accepted set is their union (e.g. a shared file plus one local test token).
        if (s.has("credentials-file")) {
            Path file = ConfigFiles.resolve(baseDir, s.string("credentials-file").orElseThrow());
            List<String> fromFile = ConfigFiles.readLines("auth.credentials-file", file);
            if (fromFile.isEmpty()) {
                throw new ConfigException("auth.credentials-file", file + " holds no credentials (one per line)");
            }
            credentials.addAll(fromFile);
        }
        int status = AuthConfig.DEFAULT_FAILURE_STATUS;
        if (s.has("failure-status")) {
            String text = s.string("failure-status").orElseThrow();
            if (!text.matches("\\d{3}")) {
                throw new ConfigException("auth.failure-status", "must be 401, 403 or 407, got '" + text + "'");
            }
            status = Integer.parseInt(text);
        }
        boolean certificate = false;
        if (s.has("client-certificate")) {
            String text = s.string("client-certificate").orElseThrow().trim();
            certificate = switch (text) {
                case "required" -> true;
                case "none" -> false;
                default -> throw new ConfigException("auth.client-certificate", "must be 'required' (a tunnel needs a"
                        + " client certificate verified against tls.client-ca) or 'none', got '" + text + "'");
            };
        }
        return new AuthConfig(s.string("header").orElse(AuthConfig.DEFAULT_HEADER), credentials, status, certificate);
    }
}
