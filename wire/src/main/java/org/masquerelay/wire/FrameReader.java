package org.masquerelay.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Reads the frames of one HTTP/3 request stream (RFC 9114 §4.1): a HEADERS frame, then DATA frames, then optionally a
 * trailing HEADERS frame, with frames of unknown or reserved types anywhere in between.
 *
 * <p>Error codes, per RFC 9114:
 * <ul>
 *   <li>a frame cut short by the end of the stream (type, length or payload): H3_FRAME_ERROR (§7.1: "if the last
 *       frame on the stream was truncated, this MUST be treated as a connection error of type H3_FRAME_ERROR";
 *       the caller decides whether to close the connection);</li>
 *   <li>a clean end of stream after some frames but before HEADERS: H3_REQUEST_INCOMPLETE (§4.1.2, "a
 *       client-initiated stream terminates without enough of the HTTP message to provide a complete response");</li>
 *   <li>DATA before HEADERS, or a frame type that is not allowed on request streams (SETTINGS, GOAWAY, MAX_PUSH_ID,
 *       CANCEL_PUSH, PUSH_PROMISE, HTTP/2-only types): H3_FRAME_UNEXPECTED (§4.1, §7.2);</li>
 *   <li>a DATA frame longer than the configured cap: H3_EXCESSIVE_LOAD (§10.5, limits on peer resource use).</li>
 * </ul>
 * Unknown and reserved frame types are skipped without being buffered (§9: "implementations MUST ignore unknown
 * frame types"). PRIORITY_UPDATE (RFC 9218) is skipped too: this relay does not implement RFC 9218, so to it these
 * are unknown frame types.
 *
 * <p>Not thread-safe: one thread reads a request stream.
 */
public final class FrameReader {
    private final InputStream in;
    private final int maxFieldSectionSize;
    private final long maxDataFrameSize;

    private boolean headersRead;
    private DataStream dataStream;

    /**
     * @param in                  the raw QUIC stream
     * @param maxFieldSectionSize largest HEADERS payload buffered (the encoded field section); larger ones are
     *                            skipped and reported as {@link FieldSectionTooLargeException}
     * @param maxDataFrameSize    largest DATA frame length accepted (DATA payloads are streamed, never buffered
     *                            whole; the cap bounds how long one frame may monopolise the stream)
     */
    public FrameReader(InputStream in, int maxFieldSectionSize, long maxDataFrameSize) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxFieldSectionSize < 0 || maxDataFrameSize < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
        this.maxFieldSectionSize = maxFieldSectionSize;
        this.maxDataFrameSize = maxDataFrameSize;
    }

    /**
     * Reads frames up to and including the next HEADERS frame and returns its payload (the QPACK-encoded field
     * section), or null if the stream ends cleanly before any frame. May be called again to read a further HEADERS
     * frame (interim 1xx responses, RFC 9114 §4.1) as long as no DATA has been read.
     *
     * @throws FieldSectionTooLargeException the HEADERS frame is larger than maxFieldSectionSize (already skipped)
     * @throws H3StreamException             protocol error; reset the stream (or close the connection) with its code
     */
    public byte[] readFieldSection() throws IOException {
        if (dataStream != null && dataStream.started) {
            throw new IllegalStateException("DATA has already been read; no further HEADERS frame is expected");
        }
        boolean sawFrame = false;
        while (true) {
            long type = readType(in);
            if (type < 0) {
                if (!sawFrame && !headersRead) {
                    return null;
                }
                throw new H3StreamException(H3.H3_REQUEST_INCOMPLETE, "stream ended before a HEADERS frame");
            }
            sawFrame = true;
            long length = readLength(in, type);
            if (type == H3.FRAME_HEADERS) {
                byte[] fieldSection = readFieldSectionPayload(in, length, maxFieldSectionSize);
                headersRead = true;
                return fieldSection;
            }
            if (type == H3.FRAME_DATA) {
                throw new H3StreamException(H3.H3_FRAME_UNEXPECTED, "DATA frame before HEADERS (RFC 9114 §4.1)");
            }
            rejectIfForbiddenOnRequestStream(type);
            skipPayload(in, type, length);
        }
    }

    /**
     * The payloads of the DATA frames that follow the HEADERS frame, as one byte stream. It ends (-1) at the end of
     * the QUIC stream or at a trailing HEADERS frame, whose payload {@link #trailers()} then returns. Always the same
     * instance. Closing it closes the underlying stream.
     */
    public InputStream dataStream() {
        if (!headersRead) {
            throw new IllegalStateException("read the HEADERS frame first");
        }
        if (dataStream == null) {
            dataStream = new DataStream();
        }
        return dataStream;
    }

    /**
     * Whether no byte after the request's HEADERS frame has been read yet: the rest of the stream, from a frame
     * boundary, is still in the transport, so another reader (an engine's event-loop data plane) may take over.
     */
    public boolean bodyUntouched() {
        return headersRead && (dataStream == null || !dataStream.started);
    }

    /** The field section of the trailing HEADERS frame, once {@link #dataStream()} has reached it; else null. */
    public byte[] trailers() {
        return dataStream == null ? null : dataStream.trailers;
    }

    /** The body of the message: DATA payloads read straight from the QUIC stream, one bulk read at a time. */
    private final class DataStream extends InputStream {
        private long remaining; // bytes left in the current DATA frame
        private boolean ended;
        private boolean started;
        private IOException failure; // once the framing is broken, every later call reports the same error
        private byte[] trailers;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            while (true) {
                int n = read(one, 0, 1);
                if (n < 0) {
                    return -1;
                }
                if (n == 1) {
                    return one[0] & 0xff; // 0..255: a 0xFF byte must not look like end of stream
                }
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (!nextPayloadByteAvailable()) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw fail(new H3StreamException(H3.H3_FRAME_ERROR,
                        "stream ended inside a DATA frame, " + remaining + " bytes missing"));
            }
            remaining -= n;
            return n;
        }

        @Override
        public int available() throws IOException {
            if (remaining == 0 || failure != null) {
                return 0;
            }
            return (int) Math.min(remaining, in.available());
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        /** Moves to the next DATA frame with a non-empty payload; false at the end of the body. */
        private boolean nextPayloadByteAvailable() throws IOException {
            if (failure != null) {
                throw failure;
            }
            started = true;
            try {
                while (remaining == 0) {
                    if (ended) {
                        return false;
                    }
                    long type = readType(in);
                    if (type < 0) {
                        ended = true;
                        return false;
                    }
                    long length = readLength(in, type);
                    if (type == H3.FRAME_DATA) {
                        if (length > maxDataFrameSize) {
                            throw new H3StreamException(H3.H3_EXCESSIVE_LOAD, "DATA frame of " + length
                                    + " bytes exceeds the limit of " + maxDataFrameSize);
                        }
                        remaining = length; // a zero-length DATA frame is legal and just loops
                    } else if (type == H3.FRAME_HEADERS) {
                        ended = true; // trailers end the body (RFC 9114 §4.1)
                        trailers = readFieldSectionPayload(in, length, maxFieldSectionSize);
                        return false;
                    } else {
                        rejectIfForbiddenOnRequestStream(type);
                        skipPayload(in, type, length);
                    }
                }
                return true;
            } catch (IOException e) {
                throw fail(e);
            }
        }

        private IOException fail(IOException e) {
            if (!(e instanceof FieldSectionTooLargeException)) {
                failure = e;
            }
            return e;
        }
    }

    // ---- frame-level helpers, shared with ControlStreamReader ----

    /** Frame type, or -1 at a clean end of stream; a truncated type is H3_FRAME_ERROR (RFC 9114 §7.1). */
    static long readType(InputStream in) throws IOException {
        try {
            return VarInt.readOrEof(in);
        } catch (EOFException e) {
            throw new H3StreamException(H3.H3_FRAME_ERROR, "stream ended inside a frame type");
        }
    }

    static long readLength(InputStream in, long type) throws IOException {
        try {
            return VarInt.read(in);
        } catch (EOFException e) {
            throw new H3StreamException(H3.H3_FRAME_ERROR,
                    "stream ended inside the length of frame 0x" + Long.toHexString(type));
        }
    }

    static byte[] readPayload(InputStream in, long type, int length) throws IOException {
        try {
            return StreamIo.readFully(in, length);
        } catch (EOFException e) {
            throw new H3StreamException(H3.H3_FRAME_ERROR,
                    "stream ended inside frame 0x" + Long.toHexString(type) + " (" + e.getMessage() + ")");
        }
    }

    static void skipPayload(InputStream in, long type, long length) throws IOException {
        try {
            StreamIo.skipFully(in, length);
        } catch (EOFException e) {
            throw new H3StreamException(H3.H3_FRAME_ERROR,
                    "stream ended inside frame 0x" + Long.toHexString(type) + " (" + e.getMessage() + ")");
        }
    }

    /** The length is checked before any allocation; an oversized section is skipped so the stream stays usable. */
    private static byte[] readFieldSectionPayload(InputStream in, long length, int max) throws IOException {
        if (length > max) {
            skipPayload(in, H3.FRAME_HEADERS, length);
            throw new FieldSectionTooLargeException(length, max);
        }
        return readPayload(in, H3.FRAME_HEADERS, (int) length);
    }

    /** Control-stream and push frames, and HTTP/2 leftovers, never belong on a request stream (RFC 9114 §7.2). */
    /** RFC 9114 §7.2: control-stream and push frames, and HTTP/2-only types, are errors on a request stream. */
    public static void rejectIfForbiddenOnRequestStream(long type) throws H3StreamException {
        String name = null;
        if (type == H3.FRAME_SETTINGS) {
            name = "SETTINGS (RFC 9114 §7.2.4)";
        } else if (type == H3.FRAME_GOAWAY) {
            name = "GOAWAY (RFC 9114 §7.2.6)";
        } else if (type == H3.FRAME_MAX_PUSH_ID) {
            name = "MAX_PUSH_ID (RFC 9114 §7.2.7)";
        } else if (type == H3.FRAME_CANCEL_PUSH) {
            name = "CANCEL_PUSH (RFC 9114 §7.2.3)";
        } else if (type == H3.FRAME_PUSH_PROMISE) {
            name = "PUSH_PROMISE (this relay never allows push, RFC 9114 §7.2.5)";
        } else if (H3.isHttp2OnlyFrameType(type)) {
            name = "HTTP/2-only frame type 0x" + Long.toHexString(type) + " (RFC 9114 §7.2.8)";
        }
        if (name != null) {
            throw new H3StreamException(H3.H3_FRAME_UNEXPECTED, name + " on a request stream");
        }
    }
}
