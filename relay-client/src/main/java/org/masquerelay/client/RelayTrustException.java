package org.masquerelay.client;

/**
 * The TLS handshake with the relay failed over certificates. {@link #relayCertificateRejected()} is true when we
 * refused the relay's certificate (unknown CA, wrong name, expired...; the message names the problem), false when
 * the relay ended the handshake (typically refusing our client certificate, or asking for one we lack).
 */
public final class RelayTrustException extends RelayException {
    private final boolean relayCertificateRejected;

    public RelayTrustException(String message, Throwable cause) {
        this(true, message, cause);
    }

    public RelayTrustException(boolean relayCertificateRejected, String message, Throwable cause) {
        super(message, cause);
        this.relayCertificateRejected = relayCertificateRejected;
    }

    /** True when we refused the relay's certificate; false when the relay ended the handshake. */
    public boolean relayCertificateRejected() {
        return relayCertificateRejected;
    }
}
