package org.masquerelay.client;

/** The relay did not answer a tunnel request in time, or an overall deadline passed. */
public final class RelayTimeoutException extends RelayException {
    public RelayTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
