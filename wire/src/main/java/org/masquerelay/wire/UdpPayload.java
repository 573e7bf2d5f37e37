package org.masquerelay.wire;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The UDP Proxying HTTP Datagram Payload (RFC 9298 §5): a Context ID, then a payload that is a UDP payload when the
 * Context ID is 0. {@code buffer[offset..offset+length)} is the payload, not copied. Callers forward only context 0
 * and drop the rest (RFC 9298 §5: unknown Context IDs are dropped or briefly buffered).
 */
public record UdpPayload(long contextId, byte[] buffer, int offset, int length) {

    /** The Context ID that carries UDP payloads (RFC 9298 §4). */
    public static final long CONTEXT_UDP = 0;

    /**
     * Context ID reported for a payload too short to hold a Context ID. Not a valid Context ID, so a caller that
     * forwards only {@link #CONTEXT_UDP} drops it without special handling.
     */
    public static final long MALFORMED = -1;

    /** UDP payloads cannot exceed 65527 bytes (RFC 9298 §5, from the 16-bit UDP length). */
    public static final int MAX_UDP_PAYLOAD = 65527;

    public UdpPayload {
        Objects.requireNonNull(buffer, "buffer");
        Objects.checkFromIndexSize(offset, length, buffer.length);
    }

    public boolean isUdp() {
        return contextId == CONTEXT_UDP;
    }

    public boolean isMalformed() {
        return contextId == MALFORMED;
    }

    public byte[] payload() {
        return Arrays.copyOfRange(buffer, offset, offset + length);
    }

    /**
     * Splits {@code buf[off..off+len)} into Context ID and payload. Never throws for peer-controlled content: a
     * truncated Context ID yields {@link #MALFORMED} with an empty payload, which callers drop.
     */
    public static UdpPayload decode(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        ByteBuffer b = ByteBuffer.wrap(buf, off, len);
        try {
            long contextId = VarInt.read(b);
            return new UdpPayload(contextId, buf, b.position(), b.remaining());
        } catch (BufferUnderflowException e) {
            return new UdpPayload(MALFORMED, buf, off, 0);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpPayload p && p.contextId == contextId
                && Arrays.equals(p.buffer, p.offset, p.offset + p.length, buffer, offset, offset + length);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(contextId);
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + buffer[i];
        }
        return h;
    }

    @Override
    public String toString() {
        return "UdpPayload[contextId=" + contextId + ", length=" + length + "]";
    }
}
