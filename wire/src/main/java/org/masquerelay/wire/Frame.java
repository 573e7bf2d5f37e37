package org.masquerelay.wire;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** One whole HTTP/3 frame (RFC 9114 §7.1): its type and payload. Used for the small frames of the control stream. */
public record Frame(long type, byte[] payload) {

    public Frame {
        if (payload == null) {
            throw new NullPointerException("payload");
        }
    }

    /**
     * The payload of GOAWAY, MAX_PUSH_ID and CANCEL_PUSH: exactly one variable-length integer (RFC 9114 §7.2.3,
     * §7.2.6, §7.2.7). A payload that is shorter or longer is H3_FRAME_ERROR (RFC 9114 §7.1).
     */
    public long singleVarInt() throws H3StreamException {
        ByteBuffer buf = ByteBuffer.wrap(payload);
        long v;
        try {
            v = VarInt.read(buf);
        } catch (BufferUnderflowException e) {
            throw new H3StreamException(H3.H3_FRAME_ERROR, "frame 0x" + Long.toHexString(type) + " payload truncated");
        }
        if (buf.hasRemaining()) {
            throw new H3StreamException(H3.H3_FRAME_ERROR,
                    "frame 0x" + Long.toHexString(type) + " has " + buf.remaining() + " extra payload bytes");
        }
        return v;
    }

    // Records compare arrays by identity; frames are values, so compare contents.
    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.type == type && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(type) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Frame[type=0x" + Long.toHexString(type) + ", length=" + payload.length + "]";
    }
}
