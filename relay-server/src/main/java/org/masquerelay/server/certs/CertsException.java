package org.masquerelay.server.certs;

/** A certificate or key operation failed; the message says what to do about it. */
public class CertsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CertsException(String message) {
        super(message);
    }

    public CertsException(String message, Throwable cause) {
        super(message, cause);
    }
}
