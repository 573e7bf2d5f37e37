package org.masquerelay.server;

import org.masquerelay.wire.HttpFields;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;

/**
 * Checks the credential a client puts in a configured request header (Apple's client sends
 * {@code additionalHTTPHeaderFields}, e.g. {@code Authorization: Bearer ...}, on every CONNECT).
 * Comparison is constant-time so response timing does not reveal how much of a guess was right.
 */
public final class Authenticator {
    private final String header;
    private final List<byte[]> accepted;
    private final int failureStatus;

    /**
     * @param header        request header name carrying the credential
     * @param credentials   accepted exact values
     * @param failureStatus 401, 403 or 407
     */
    public Authenticator(String header, List<String> credentials, int failureStatus) {
        if (failureStatus != 401 && failureStatus != 403 && failureStatus != 407) {
            throw new IllegalArgumentException("failure status must be 401, 403 or 407, not " + failureStatus);
        }
        if (credentials.isEmpty()) {
            throw new IllegalArgumentException("at least one credential is needed");
        }
        this.header = header.toLowerCase(Locale.ROOT);
        this.accepted = credentials.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toList();
        this.failureStatus = failureStatus;
    }

    public boolean accepts(HttpFields request) {
        List<String> presented = request.getAll(header);
        boolean ok = false;
        for (String value : presented) {
            byte[] bytes = value.trim().getBytes(StandardCharsets.UTF_8);
            for (byte[] credential : accepted) {
                ok |= MessageDigest.isEqual(bytes, credential);
            }
        }
        return ok;
    }

    public String header() {
        return header;
    }

    public int failureStatus() {
        return failureStatus;
    }

    /** The challenge header that goes with the failure status (RFC 9110 §11.6.1, §11.7.1), or null for 403. */
    public HttpFields.Field challenge() {
        String scheme = accepted.isEmpty() ? "Bearer" : firstWord(new String(accepted.get(0), StandardCharsets.UTF_8));
        return switch (failureStatus) {
            case 401 -> new HttpFields.Field("www-authenticate", scheme + " realm=\"relay\"");
            case 407 -> new HttpFields.Field("proxy-authenticate", scheme + " realm=\"relay\"");
            default -> null;
        };
    }

    private static String firstWord(String credential) {
        int space = credential.indexOf(' ');
        return space > 0 ? credential.substring(0, space) : "Bearer";
    }
}
