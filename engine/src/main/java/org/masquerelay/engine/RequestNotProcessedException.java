package org.masquerelay.engine;

import java.io.IOException;

/**
 * The relay did not process this request, so it may be sent again on another connection (RFC 9114 §4.1.1, §5.2): the
 * request stream was reset with H3_REQUEST_REJECTED, or its id is at or past the relay's GOAWAY, or the connection had
 * received GOAWAY before the request could be opened on it.
 */
public final class RequestNotProcessedException extends IOException {
    public RequestNotProcessedException(String message, Throwable cause) {
        super(message, cause);
    }
}
