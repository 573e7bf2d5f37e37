package org.masquerelay.client.fetch;

import java.io.IOException;

/**
 * The target (the URL's server) failed, not the relay: its certificate, its TLS handshake, no response, or a response
 * that broke off. {@link #kind()} tells which, for callers (and curl's exit codes: 60, 35, 52, 56) without reading
 * the message.
 */
public final class TargetException extends IOException {
    /** What went wrong with the target. */
    public enum Kind {
        /** Its certificate is not trusted. */
        UNTRUSTED,
        /** The TLS handshake failed otherwise. */
        TLS_HANDSHAKE,
        /** It closed the connection without a response. */
        EMPTY_REPLY,
        /** The response was malformed or broke off. */
        RECEIVE
    }

    private final Kind kind;

    private TargetException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static TargetException untrusted(String message, Throwable cause) {
        return new TargetException(Kind.UNTRUSTED, message, cause);
    }

    static TargetException tls(String message, Throwable cause) {
        return new TargetException(Kind.TLS_HANDSHAKE, message, cause);
    }

    static TargetException emptyReply(String message) {
        return new TargetException(Kind.EMPTY_REPLY, message, null);
    }

    static TargetException receive(String message, Throwable cause) {
        return new TargetException(Kind.RECEIVE, message, cause);
    }
}
