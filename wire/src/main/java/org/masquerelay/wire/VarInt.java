package org.masquerelay.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * QUIC variable-length integers (RFC 9000 §16): the two high bits of the first byte give the length (1, 2, 4 or 8
 * bytes), the remaining bits carry the value in network byte order. HTTP/3 frames, capsules and HTTP Datagrams all
 * use this encoding. Encoding always uses the shortest form; decoding accepts any form, as RFC 9000 §16 requires
 * ("values do not need to be encoded on the minimum number of bytes").
 */
public final class VarInt {
    private VarInt() {}

    /** The largest value that can be encoded: 2^62 - 1 (RFC 9000 §16). */
    public static final long MAX = (1L << 62) - 1;

    /** Reads one integer; EOFException if the stream ends before or inside it. */
    public static long read(InputStream in) throws IOException {
        long v = readOrEof(in);
        if (v < 0) {
            throw new EOFException("end of stream before a variable-length integer");
        }
        return v;
    }

    /**
     * Reads one integer, or returns -1 when the stream ends cleanly before its first byte (so callers can tell "no more
     * frames" from "truncated frame"). EOFException if the stream ends inside the integer.
     */
    public static long readOrEof(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return -1;
        }
        int length = 1 << (first >>> 6);
        long v = first & 0x3f;
        for (int i = 1; i < length; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("end of stream inside a " + length + "-byte variable-length integer");
            }
            v = (v << 8) | b;
        }
        return v;
    }

    /**
     * Reads one integer from the buffer's position. BufferUnderflowException if the buffer ends inside it; the
     * position is then left unchanged, so a caller can wait for more bytes.
     */
    public static long read(ByteBuffer buf) {
        if (!buf.hasRemaining()) {
            throw new BufferUnderflowException();
        }
        int first = buf.get(buf.position()) & 0xff;
        int length = 1 << (first >>> 6);
        if (buf.remaining() < length) {
            throw new BufferUnderflowException();
        }
        return switch (length) {
            case 1 -> buf.get() & 0x3f;
            case 2 -> buf.getShort() & 0x3fff;
            case 4 -> buf.getInt() & 0x3fffffffL;
            default -> buf.getLong() & MAX;
        };
    }

    /** Number of bytes of the shortest encoding of v. */
    public static int length(long v) {
        check(v);
        if (v < (1L << 6)) {
            return 1;
        }
        if (v < (1L << 14)) {
            return 2;
        }
        if (v < (1L << 30)) {
            return 4;
        }
        return 8;
    }

    public static void write(long v, OutputStream out) throws IOException {
        out.write(encode(v));
    }

    public static void write(long v, ByteBuffer buf) {
        switch (length(v)) {
            case 1 -> buf.put((byte) v);
            case 2 -> buf.putShort((short) (v | 0x4000));
            case 4 -> buf.putInt((int) (v | 0x8000_0000L));
            default -> buf.putLong(v | 0xC000_0000_0000_0000L);
        }
    }

    public static byte[] encode(long v) {
        byte[] out = new byte[length(v)];
        put(v, out, 0);
        return out;
    }

    /** Writes v at {@code out[off]} and returns the offset just after it; lets callers build one frame buffer. */
    public static int put(long v, byte[] out, int off) {
        int length = length(v);
        for (int i = length - 1; i >= 0; i--) {
            out[off + i] = (byte) v;
            v >>>= 8;
        }
        out[off] |= (byte) ((Integer.numberOfTrailingZeros(length)) << 6);
        return off + length;
    }

    private static void check(long v) {
        if (v < 0 || v > MAX) {
            throw new IllegalArgumentException("variable-length integer out of range 0..2^62-1: " + v);
        }
    }
}
