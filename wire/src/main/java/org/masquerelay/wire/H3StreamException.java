package org.masquerelay.wire;

import java.io.IOException;

/**
 * A stream error detected while reading a request stream: the stream (only this one) must be reset with
 * {@link #errorCode()}. Other tunnels on the connection carry on.
 */
public final class H3StreamException extends IOException {
    private final long errorCode;

    public H3StreamException(long errorCode, String message) {
        super(message + " (" + H3.errorName(errorCode) + ")");
        this.errorCode = errorCode;
    }

    public long errorCode() {
        return errorCode;
    }
}
