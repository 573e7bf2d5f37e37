package org.masquerelay.wire;

/**
 * An HTTP/3 Datagram that cannot be parsed (RFC 9297 §2.1): the caller treats it as an H3_DATAGRAM_ERROR connection
 * error or drops it, as its policy says.
 */
public final class MalformedDatagramException extends Exception {
    public MalformedDatagramException(String message) {
        super(message);
    }
}
