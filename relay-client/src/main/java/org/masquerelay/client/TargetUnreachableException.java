package org.masquerelay.client;

import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.ProxyStatus;

/** The relay could not reach the target (5xx: DNS failure, connection refused or timed out, unroutable). */
public final class TargetUnreachableException extends RelayException {
    TargetUnreachableException(String message, int status, ProxyStatus proxyStatus, HttpFields response) {
        super(message, status, proxyStatus, response, null);
    }
}
