package org.masquerelay.client;

/** No QUIC connection to the relay: nothing answered (ICMP port unreachable or no reply within the connect timeout), the name did not resolve, or the handshake failed for a reason other than trust. */
public final class RelayUnreachableException extends RelayException {
    public RelayUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
