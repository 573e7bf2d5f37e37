package org.masquerelay.wire;

import java.io.IOException;

/**
 * A HEADERS frame (request or trailers) declared a field section larger than the configured limit. The reader has
 * already consumed the frame, so the stream is still in sync: the caller answers 431 (Request Header Fields Too
 * Large, RFC 6585 §5) rather than resetting the stream (RFC 9114 §4.2.2 lets a server refuse such a request).
 */
public final class FieldSectionTooLargeException extends IOException {
    private final long declaredSize;
    private final long limit;

    public FieldSectionTooLargeException(long declaredSize, long limit) {
        super("field section of " + declaredSize + " bytes exceeds the limit of " + limit + " bytes");
        this.declaredSize = declaredSize;
        this.limit = limit;
    }

    /** The length of the HEADERS frame payload, as declared by the peer. */
    public long declaredSize() {
        return declaredSize;
    }

    public long limit() {
        return limit;
    }
}
