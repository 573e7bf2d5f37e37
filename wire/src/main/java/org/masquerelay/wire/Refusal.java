package org.masquerelay.wire;

import java.util.Map;
import java.util.Objects;

/**
 * Why the relay will not open a tunnel, as the answer the client gets: an HTTP status, an RFC 9209 Proxy-Status
 * error type and details for people (the exception's message), and for an authentication failure the challenge
 * header (RFC 9110 §11.6.1, §11.7.1). Every refusal on the request path is one of these, from the request parser,
 * the policy, the resolver, the connection attempts or the relay's own limits, and the relay answers it in one place
 * ({@link #responseHeaders}, {@link #body}), so the caller never guesses which status to send. (masque-go's
 * {@code ProxyRequestParseError{HTTPStatus, Err}} is the model.)
 *
 * <p>The status matters to clients: Apple's client turns 5xx + dns_error/destination_* into EHOSTUNREACH and
 * 5xx + connection_refused/timeout into EHOSTDOWN, so the right pair makes its error message right.
 *
 * <p>An answer, not a fault: no stack trace is recorded.
 */
public final class Refusal extends Exception {
    private final int httpStatus;
    private final ProxyError proxyError;
    private final HttpFields.Field challenge;

    public Refusal(int httpStatus, ProxyError proxyError, String details) {
        this(httpStatus, proxyError, details, null);
    }

    private Refusal(int httpStatus, ProxyError proxyError, String details, HttpFields.Field challenge) {
        super(Objects.requireNonNull(details, "details"), null, false, false);
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("a refusal is a 4xx or 5xx status, not " + httpStatus);
        }
        this.httpStatus = httpStatus;
        this.proxyError = Objects.requireNonNull(proxyError, "proxyError");
        this.challenge = challenge;
    }

    /** 400 with http_request_error: the request is malformed. */
    public static Refusal badRequest(String details) {
        return new Refusal(400, ProxyError.HTTP_REQUEST_ERROR, details);
    }

    /** The same refusal with an authentication challenge header (WWW-Authenticate with 401, Proxy-Authenticate with 407). */
    public Refusal withChallenge(HttpFields.Field header) {
        return new Refusal(httpStatus, proxyError, getMessage(), header);
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The Proxy-Status error type. */
    public ProxyError proxyError() {
        return proxyError;
    }

    /** What went wrong, for people (also the Proxy-Status "details" parameter). */
    public String details() {
        return getMessage();
    }

    /** The challenge header, or null. */
    public HttpFields.Field challenge() {
        return challenge;
    }

    /** The response's header section: status, Proxy-Status naming {@code proxyName}, a text body's type, any challenge. */
    public HttpFields responseHeaders(String proxyName) {
        HttpFields.Builder headers = HttpFields.builder()
                .add(":status", Integer.toString(httpStatus))
                .add("proxy-status", new ProxyStatus(proxyName, proxyError.token(), details(), Map.of()).toHeaderValue())
                .add("content-type", "text/plain; charset=utf-8");
        if (challenge != null) {
            headers.add(challenge.name(), challenge.value());
        }
        return headers.build();
    }

    /** The response's body: the details on one line. */
    public String body() {
        return details() + "\n";
    }

    @Override
    public String toString() {
        return httpStatus + " " + proxyError.token() + " (" + details() + ")";
    }
}
