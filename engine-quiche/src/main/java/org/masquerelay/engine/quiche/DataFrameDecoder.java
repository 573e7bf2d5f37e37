package org.masquerelay.engine.quiche;

import io.netty.buffer.ByteBuf;
import org.masquerelay.wire.FrameReader;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.H3StreamException;

import java.util.function.Consumer;

/**
 * The request stream of a tunnel after its HEADERS, decoded on the event loop as it arrives: DATA payloads are passed
 * on as slices of the received buffers (no copy), every other frame is skipped without being buffered, with the same
 * rules as the blocking {@link FrameReader}: a DATA frame over the cap is H3_EXCESSIVE_LOAD, control and push frames
 * are errors, trailers (a HEADERS frame) end the body. A frame header split across reads is reassembled here.
 */
final class DataFrameDecoder {
    private final long maxDataFrameSize;
    /** A frame header (type and length, two variable-length integers) never exceeds 16 bytes. */
    private final byte[] header = new byte[16];
    private int headerLength;
    private long remaining;
    private boolean inData;
    private boolean ended;

    DataFrameDecoder(long maxDataFrameSize) {
        this.maxDataFrameSize = maxDataFrameSize;
    }

    /** Consumes all of {@code in}; each DATA payload piece goes to {@code payload} as a retained slice. */
    void decode(ByteBuf in, Consumer<ByteBuf> payload) throws H3StreamException {
        while (in.isReadable()) {
            if (remaining > 0) {
                int n = (int) Math.min(remaining, in.readableBytes());
                if (inData) {
                    payload.accept(in.readRetainedSlice(n));
                } else {
                    in.skipBytes(n);
                }
                remaining -= n;
                continue;
            }
            if (ended) {
                throw new H3StreamException(H3.H3_FRAME_UNEXPECTED, "a frame after the trailers");
            }
            if (!readHeader(in)) {
                return;
            }
            int typeLength = varIntLength(header[0]);
            long type = varInt(0, typeLength);
            long length = varInt(typeLength, varIntLength(header[typeLength]));
            headerLength = 0;
            if (type == H3.FRAME_DATA) {
                if (length > maxDataFrameSize) {
                    throw new H3StreamException(H3.H3_EXCESSIVE_LOAD, "DATA frame of " + length
                            + " bytes exceeds the limit of " + maxDataFrameSize);
                }
                inData = true;
            } else {
                if (type == H3.FRAME_HEADERS) {
                    ended = true; // trailers end the body (RFC 9114 §4.1); a tunnel has no use for them
                } else {
                    FrameReader.rejectIfForbiddenOnRequestStream(type);
                }
                inData = false;
            }
            remaining = length;
        }
    }

    /** True between frames: the stream may end here without truncating one. */
    boolean atFrameBoundary() {
        return remaining == 0 && headerLength == 0;
    }

    /** Gathers the two varints of a frame header; false when {@code in} ran out first (the rest comes later). */
    private boolean readHeader(ByteBuf in) {
        while (in.isReadable()) {
            header[headerLength++] = in.readByte();
            int typeLength = varIntLength(header[0]);
            if (headerLength > typeLength && headerLength == typeLength + varIntLength(header[typeLength])) {
                return true;
            }
        }
        return false;
    }

    /** RFC 9000 §16: the two high bits of the first byte give the encoded length. */
    private static int varIntLength(byte first) {
        return 1 << ((first & 0xff) >> 6);
    }

    private long varInt(int offset, int length) {
        long value = header[offset] & 0x3f;
        for (int i = 1; i < length; i++) {
            value = (value << 8) | (header[offset + i] & 0xff);
        }
        return value;
    }
}
