package org.masquerelay.client;

import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.ProxyStatus;

/** The relay refused our credentials (401 or 407): check the extra request headers or the client certificate. */
public final class AuthenticationException extends RelayException {
    AuthenticationException(String message, int status, ProxyStatus proxyStatus, HttpFields response) {
        super(message, status, proxyStatus, response, null);
    }
}
