package org.masquerelay.client;

/**
 * No QUIC connection to the relay: the name did not resolve, nothing answered within the connect timeout, or the
 * connection failed for a reason other than trust (ICMP port unreachable, a handshake error). {@link #reason()}
 * tells these apart for callers (and the CLI's curl-style exit codes) without reading the message.
 */
public final class RelayUnreachableException extends RelayException {
    /** Why there is no connection. */
    public enum Reason {
        /** The relay's host name did not resolve. */
        NAME_NOT_RESOLVED,
        /** Nothing answered within the connect timeout. */
        NO_ANSWER,
        /** Refused (ICMP port unreachable) or failed otherwise. */
        CANNOT_CONNECT
    }

    private final Reason reason;

    public RelayUnreachableException(String message, Throwable cause) {
        this(Reason.CANNOT_CONNECT, message, cause);
    }

    public RelayUnreachableException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why there is no connection. */
    public Reason reason() {
        return reason;
    }
}
