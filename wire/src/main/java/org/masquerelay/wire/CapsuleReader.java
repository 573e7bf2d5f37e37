package org.masquerelay.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Reads capsules (RFC 9297 §3.2: type, length, value) from the data of a request stream, typically
 * {@link FrameReader#dataStream()}. Capsules are independent of DATA frame boundaries, so values are read with
 * {@code readNBytes}, which reassembles a capsule split across DATA frames.
 *
 * <p>A capsule longer than {@code maxCapsuleLength} is consumed without being buffered and reading goes on with the
 * next one (RFC 9297 §3.5 lets a receiver discard a DATAGRAM capsule too large to use "without buffering its
 * contents into memory"). Unknown types are returned to the caller, which must skip them (RFC 9297 §3.2).
 */
public final class CapsuleReader {
    private final InputStream in;
    private final int maxCapsuleLength;
    private long skippedCapsules;

    public CapsuleReader(InputStream in, int maxCapsuleLength) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxCapsuleLength < 0) {
            throw new IllegalArgumentException("maxCapsuleLength must not be negative");
        }
        this.maxCapsuleLength = maxCapsuleLength;
    }

    /**
     * The next capsule, or null when the stream ends cleanly between capsules.
     *
     * @throws H3StreamException H3_MESSAGE_ERROR when the stream ends inside a capsule (RFC 9297 §3.3: "the
     *                           receiver MUST treat it as an HTTP message error"); other stream errors of the
     *                           underlying frame reader pass through unchanged
     */
    public Capsule read() throws IOException {
        while (true) {
            long type;
            long length;
            try {
                type = VarInt.readOrEof(in);
                if (type < 0) {
                    return null;
                }
                length = VarInt.read(in);
            } catch (EOFException e) {
                throw truncated("inside a capsule header");
            }
            if (length > maxCapsuleLength) {
                try {
                    StreamIo.skipFully(in, length);
                } catch (EOFException e) {
                    throw truncated("inside an oversized capsule of " + length + " bytes");
                }
                skippedCapsules++;
                continue;
            }
            try {
                return new Capsule(type, StreamIo.readFully(in, (int) length));
            } catch (EOFException e) {
                throw truncated("inside a capsule of " + length + " bytes");
            }
        }
    }

    /** How many capsules were dropped for exceeding maxCapsuleLength. */
    public long skippedCapsules() {
        return skippedCapsules;
    }

    private static H3StreamException truncated(String where) {
        return new H3StreamException(H3.H3_MESSAGE_ERROR, "stream ended " + where + " (RFC 9297 §3.3)");
    }
}
