package org.masquerelay.server.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Pre-shared credential authentication: a request is accepted when the named header carries one of the credentials
 * exactly (e.g. {@code authorization: Bearer s3cret}, which Apple's client sends from additionalHTTPHeaderFields).
 *
 * @param header        lower-case request header name
 * @param credentials   accepted header values, compared exactly
 * @param failureStatus 401, 403 or 407, sent when the credential is missing or wrong
 * @param clientCertificateRequired {@code client-certificate: required}: a tunnel also needs a client certificate
 *                      verified in the TLS handshake (mutual TLS, {@code tls.client-ca}); with it the credentials may
 *                      be left out, and then the certificate alone authenticates
 */
public record AuthConfig(String header, List<String> credentials, int failureStatus,
                         boolean clientCertificateRequired) {

    /** The statuses a client understands as "authentication needed" or "refused". */
    public static final Set<Integer> FAILURE_STATUSES = Set.of(401, 403, 407);
    /** Proxy authentication is what a relay does, so 407 with Proxy-Authorization is the default pair. */
    public static final String DEFAULT_HEADER = "proxy-authorization";
    public static final int DEFAULT_FAILURE_STATUS = 407;

    public AuthConfig {
        header = header.toLowerCase(Locale.ROOT);
        if (!header.matches("[!#$%&'*+.^_`|~0-9a-z-]+")) {
            throw new ConfigException("auth.header", "'" + header + "' is not an HTTP header name");
        }
        credentials = List.copyOf(credentials);
        if (credentials.isEmpty() && !clientCertificateRequired) {
            throw new ConfigException("auth.credentials", "at least one credential is needed (credentials or"
                    + " credentials-file); remove the auth section to turn authentication off");
        }
        if (!FAILURE_STATUSES.contains(failureStatus)) {
            throw new ConfigException("auth.failure-status", "must be 401, 403 or 407, got " + failureStatus);
        }
    }

    /** Header credentials only. */
    public AuthConfig(String header, List<String> credentials, int failureStatus) {
        this(header, credentials, failureStatus, false);
    }

    /** Whether requests must carry one of {@link #credentials()} (false when a client certificate alone suffices). */
    public boolean checksCredentials() {
        return !credentials.isEmpty();
    }

    /**
     * True if {@code value} is one of the credentials. Every credential is compared in constant time, so response
     * timing does not tell how much of a guess was right.
     */
    public boolean accepts(String value) {
        if (value == null) {
            return false;
        }
        byte[] given = value.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String c : credentials) {
            ok |= MessageDigest.isEqual(given, c.getBytes(StandardCharsets.UTF_8));
        }
        return ok;
    }

    /** Never prints the credentials. */
    @Override
    public String toString() {
        return "AuthConfig[header=" + header + ", credentials=" + credentials.size() + " hidden, failureStatus="
                + failureStatus + (clientCertificateRequired ? ", clientCertificate=required" : "") + "]";
    }
}
