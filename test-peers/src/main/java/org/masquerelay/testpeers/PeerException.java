package org.masquerelay.testpeers;

import java.util.Optional;

/** Why a blocking call on the test peer gave up; unchecked so tests can simply let it fail them. */
public final class PeerException extends RuntimeException {
    public enum Kind {
        /** Nothing (or not enough) arrived within the timeout. */
        TIMEOUT,
        /** The peer finished its side of the stream (FIN) before enough bytes arrived. */
        EOF,
        /** The peer reset the stream (RESET_STREAM); {@link #code()} is its error code. */
        RESET,
        /** The stream, the connection or the codec failed. */
        FAILED
    }

    private final Kind kind;
    private final Long code;

    PeerException(Kind kind, String message, Long code, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP/3 error code of a reset, if there was one. */
    public Optional<Long> code() {
        return Optional.ofNullable(code);
    }
}
