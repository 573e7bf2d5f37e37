package org.masquerelay.wire;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An HTTP/3 Datagram (RFC 9297 §2.1) as carried in the payload of a QUIC DATAGRAM frame: a Quarter Stream ID that
 * names the request stream, then the HTTP Datagram Payload. {@code buffer[offset..offset+length)} is that payload,
 * not copied.
 */
public record HttpDatagram(long quarterStreamId, byte[] buffer, int offset, int length) {

    /** Stream IDs are below 2^62, so quarter stream IDs are below 2^60 (RFC 9297 §2.1). */
    public static final long MAX_QUARTER_STREAM_ID = (1L << 60) - 1;

    public HttpDatagram {
        Objects.requireNonNull(buffer, "buffer");
        Objects.checkFromIndexSize(offset, length, buffer.length);
    }

    /** The request stream this datagram belongs to (client-initiated bidirectional, so a multiple of 4). */
    public long streamId() {
        return quarterStreamId * 4;
    }

    /** A copy of the HTTP Datagram Payload. */
    public byte[] payload() {
        return Arrays.copyOfRange(buffer, offset, offset + length);
    }

    /**
     * @throws MalformedDatagramException when the Quarter Stream ID is truncated, or larger than 2^60-1 (RFC 9297
     *                                    §2.1: "MUST be treated as an HTTP/3 connection error of type
     *                                    H3_DATAGRAM_ERROR")
     */
    public static HttpDatagram decode(byte[] quicDatagramPayload) throws MalformedDatagramException {
        ByteBuffer buf = ByteBuffer.wrap(quicDatagramPayload);
        long quarterStreamId;
        try {
            quarterStreamId = VarInt.read(buf);
        } catch (BufferUnderflowException e) {
            throw new MalformedDatagramException("HTTP/3 Datagram of " + quicDatagramPayload.length
                    + " bytes ends inside its Quarter Stream ID");
        }
        if (quarterStreamId > MAX_QUARTER_STREAM_ID) {
            throw new MalformedDatagramException("Quarter Stream ID " + quarterStreamId + " exceeds 2^60-1");
        }
        return new HttpDatagram(quarterStreamId, quicDatagramPayload, buf.position(), buf.remaining());
    }

    /**
     * A QUIC DATAGRAM payload for connect-udp (RFC 9298 §5): Quarter Stream ID, Context ID, payload.
     *
     * @param streamId the QUIC stream ID of the request (a client-initiated bidirectional stream: a multiple of 4)
     */
    public static byte[] encode(long streamId, long contextId, byte[] payload, int off, int len) {
        Objects.checkFromIndexSize(off, len, payload.length);
        long quarterStreamId = quarterStreamId(streamId);
        byte[] out = new byte[Math.addExact(VarInt.length(quarterStreamId) + VarInt.length(contextId), len)];
        int pos = VarInt.put(quarterStreamId, out, 0);
        pos = VarInt.put(contextId, out, pos);
        System.arraycopy(payload, off, out, pos, len);
        return out;
    }

    /** Bytes that {@link #encode} adds in front of the payload: useful to size payloads to the datagram limit. */
    public static int overhead(long streamId, long contextId) {
        return VarInt.length(quarterStreamId(streamId)) + VarInt.length(contextId);
    }

    private static long quarterStreamId(long streamId) {
        // RFC 9297 §2.1: datagrams are only associated with client-initiated bidirectional streams (id % 4 == 0).
        if (streamId < 0 || streamId > VarInt.MAX || (streamId & 3) != 0) {
            throw new IllegalArgumentException(
                    "not a client-initiated bidirectional stream id (multiple of 4): " + streamId);
        }
        return streamId >>> 2;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpDatagram d && d.quarterStreamId == quarterStreamId
                && Arrays.equals(d.buffer, d.offset, d.offset + d.length, buffer, offset, offset + length);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(quarterStreamId);
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + buffer[i];
        }
        return h;
    }

    @Override
    public String toString() {
        return "HttpDatagram[quarterStreamId=" + quarterStreamId + ", length=" + length + "]";
    }
}
