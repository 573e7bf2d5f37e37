package org.masquerelay.tools.apple;

import org.masquerelay.wire.ProxyStatus;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How Apple's client maps a response to an errno (apple-relay-client.md): any 2xx succeeds; a 5xx whose Proxy-Status
 * names a destination problem is 65, a refused/timed-out connection 64; everything else 61. A response never
 * yields 53.
 */
public final class ResponseMapping {
    private static final Set<String> UNREACHABLE = Set.of("dns_error", "destination_ip_prohibited",
            "destination_ip_unroutable", "destination_not_found", "destination_unavailable");
    private static final Set<String> DOWN = Set.of("connection_refused", "connection_timeout");

    private ResponseMapping() {
    }

    /** @param proxyStatus the Proxy-Status header value, or null */
    public static AppleOutcome map(int status, String proxyStatus) {
        String what = "HTTP " + status + (proxyStatus == null ? "" : " with Proxy-Status " + proxyStatus);
        if (status >= 200 && status < 300) {
            return AppleOutcome.success(what);
        }
        String error = status >= 500 ? errorToken(proxyStatus) : null;
        if (error != null && UNREACHABLE.contains(error)) {
            return new AppleOutcome(AppleOutcome.Kind.EHOSTUNREACH, what);
        }
        if (error != null && DOWN.contains(error)) {
            return new AppleOutcome(AppleOutcome.Kind.EHOSTDOWN, what);
        }
        return new AppleOutcome(AppleOutcome.Kind.ECONNREFUSED, what);
    }

    /** The error token of the first Proxy-Status member (the relay nearest to the client), lower-cased. */
    static String errorToken(String proxyStatus) {
        if (proxyStatus == null || proxyStatus.isBlank()) {
            return null;
        }
        try {
            List<ProxyStatus> members = ProxyStatus.parse(proxyStatus);
            return members.isEmpty() || members.get(0).error() == null ? null
                    : members.get(0).error().toLowerCase(Locale.ROOT);
        } catch (RuntimeException malformed) {
            // A malformed header is not understood, so the client falls back to 61.
            return null;
        }
    }
}
