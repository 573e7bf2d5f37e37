package org.masquerelay.server.certs;

/**
 * A TLS identity could not be loaded. {@link #source()} tells which input was at fault so the configuration layer can
 * name the right key ({@code tls.certificate}, {@code tls.private-key}, {@code tls.pkcs12}).
 */
public final class IdentityException extends CertsException {

    private static final long serialVersionUID = 1L;

    /** Which input the problem is in. */
    public enum Source { CERTIFICATE, PRIVATE_KEY, PKCS12, CERTIFICATE_AND_KEY }

    private final Source source;

    public IdentityException(Source source, String message) {
        super(message);
        this.source = source;
    }

    public IdentityException(Source source, String message, Throwable cause) {
        super(message, cause);
        this.source = source;
    }

    public Source source() {
        return source;
    }
}
