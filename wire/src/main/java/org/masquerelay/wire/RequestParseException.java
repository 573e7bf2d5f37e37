package org.masquerelay.wire;

/**
 * A CONNECT request the relay refuses: {@link #httpStatus()} is the status to answer with, and
 * {@link #proxyError()} (nullable) the Proxy-Status error type to report (RFC 9209).
 */
public final class RequestParseException extends Exception {
    private final int httpStatus;
    private final ProxyError proxyError;

    public RequestParseException(int httpStatus, ProxyError proxyError, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.proxyError = proxyError;
    }

    /** 400 with http_request_error: the request is malformed. */
    public static RequestParseException badRequest(String message) {
        return new RequestParseException(400, ProxyError.HTTP_REQUEST_ERROR, message);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public ProxyError proxyError() {
        return proxyError;
    }
}
