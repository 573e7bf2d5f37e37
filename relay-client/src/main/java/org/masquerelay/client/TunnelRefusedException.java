package org.masquerelay.client;

import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.ProxyStatus;

/** The relay's policy refused the target (403). */
public final class TunnelRefusedException extends RelayException {
    TunnelRefusedException(String message, int status, ProxyStatus proxyStatus, HttpFields response) {
        super(message, status, proxyStatus, response, null);
    }
}
