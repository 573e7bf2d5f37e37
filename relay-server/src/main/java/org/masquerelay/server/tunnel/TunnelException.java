package org.masquerelay.server.tunnel;

import org.masquerelay.wire.ProxyError;

/**
 * Why a tunnel could not be opened, as the answer the client gets: an HTTP status and an RFC 9209 Proxy-Status
 * error. Apple's client turns 5xx + dns_error/destination_* into EHOSTUNREACH and 5xx + connection_refused/timeout
 * into EHOSTDOWN, so the right token makes its error message right.
 */
public final class TunnelException extends Exception {
    private final int httpStatus;
    private final String proxyError;

    public TunnelException(int httpStatus, String proxyError, String details) {
        super(details);
        this.httpStatus = httpStatus;
        this.proxyError = proxyError;
    }

    public TunnelException(int httpStatus, ProxyError proxyError, String details) {
        this(httpStatus, proxyError.token(), details);
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The Proxy-Status error token. */
    public String proxyError() {
        return proxyError;
    }
}
