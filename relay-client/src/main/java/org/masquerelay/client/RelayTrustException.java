package org.masquerelay.client;

/** The relay's certificate was not trusted (unknown CA, wrong name, expired...), or the relay refused our client certificate. The message names the problem. */
public final class RelayTrustException extends RelayException {
    public RelayTrustException(String message, Throwable cause) {
        super(message, cause);
    }
}
