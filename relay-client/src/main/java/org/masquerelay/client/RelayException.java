package org.masquerelay.client;

import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.ProxyStatus;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A tunnel could not be opened or was lost, with what the relay said about it: the HTTP status and the parsed
 * {@code Proxy-Status} (RFC 9209) when there was a response. Subclasses name the cause so that callers (and the
 * CLI's exit codes) never have to read messages; this base class covers the rest (a 400/404/501 answer, a stream
 * reset before any answer, a malformed response).
 */
public class RelayException extends IOException {
    private final int status;
    private final transient ProxyStatus proxyStatus;
    private final transient HttpFields response;

    public RelayException(String message, int status, ProxyStatus proxyStatus, HttpFields response, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.proxyStatus = proxyStatus;
        this.response = response;
    }

    public RelayException(String message, Throwable cause) {
        this(message, 0, null, null, cause);
    }

    /** The HTTP status of the relay's answer, or 0 when there was none (unreachable, reset, timeout). */
    public int status() {
        return status;
    }

    /** The relay's Proxy-Status member (error and details), when it sent a parsable one. */
    public Optional<ProxyStatus> proxyStatus() {
        return Optional.ofNullable(proxyStatus);
    }

    /** The Proxy-Status error token (e.g. "destination_ip_prohibited"), or null. */
    public String proxyError() {
        return proxyStatus == null ? null : proxyStatus.error();
    }

    /** The relay's full response header section, when there was one (for -v and diagnostics). */
    public Optional<HttpFields> response() {
        return Optional.ofNullable(response);
    }

    /**
     * The typed failure for a non-2xx answer to a CONNECT request. 401/407: credentials; 403: policy; 502/503/504 and
     * other 5xx naming a destination problem: the target; anything else (400, 404, 429, 501...) the base type.
     */
    public static RelayException fromResponse(HttpFields response, String target) {
        int status = Integer.parseInt(response.getOrNull(":status"));
        ProxyStatus ps = parseProxyStatus(response.getOrNull("proxy-status"));
        String reason = ps == null ? "" : " (" + (ps.error() == null ? "" : ps.error())
                + (ps.details() == null ? "" : (ps.error() == null ? "" : ": ") + ps.details()) + ")";
        String message = "relay answered " + status + " to the tunnel request for " + target + reason;
        if (status == 401 || status == 407) {
            return new AuthenticationException("relay refused the credentials (" + status + ") for " + target + reason, status, ps, response);
        }
        if (status == 403) {
            return new TunnelRefusedException("relay policy refused " + target + " (403)" + reason, status, ps, response);
        }
        if (status >= 500 && status != 501) {
            return new TargetUnreachableException("relay could not reach " + target + " (" + status + ")" + reason, status, ps, response);
        }
        return new RelayException(message, status, ps, response, null);
    }

    /** The first member that carries an error, else the first; null when absent or unparsable (the raw text stays in the response). */
    static ProxyStatus parseProxyStatus(String value) {
        if (value == null) {
            return null;
        }
        try {
            List<ProxyStatus> members = ProxyStatus.parse(value);
            return members.stream().filter(m -> m.error() != null).findFirst().orElse(members.isEmpty() ? null : members.get(0));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
