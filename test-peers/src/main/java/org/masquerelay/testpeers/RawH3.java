package org.masquerelay.testpeers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The few HTTP/3 encodings the test client writes by hand: QUIC varints (RFC 9000 §16), frames (RFC 9114 §7.1),
 * capsules (RFC 9297 §3.2) and a literal-only QPACK field section (RFC 9204 §4.5.6). Written here, not taken from
 * the relay's own wire module, so the peer stays independent; Netty's codec is used for everything it can do.
 */
public final class RawH3 {
    public static final long DATA = 0x00;
    public static final long HEADERS = 0x01;
    public static final long SETTINGS = 0x04;
    public static final long GOAWAY = 0x07;
    public static final long PRIORITY_UPDATE_REQUEST = 0xF0700L;
    public static final long H3_REQUEST_CANCELLED = 0x10c;
    public static final long CAPSULE_DATAGRAM = 0x00;

    private RawH3() {
    }

    /** A reserved ("GREASE") identifier 0x1f * n + 0x21, valid as frame type, stream type, setting or capsule. */
    public static long grease(int n) {
        return 0x1fL * n + 0x21;
    }

    public static byte[] varint(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8);
        writeVarint(out, v);
        return out.toByteArray();
    }

    public static void writeVarint(ByteArrayOutputStream out, long v) {
        if (v < 0 || v >= 1L << 62) {
            throw new IllegalArgumentException("not a QUIC varint: " + v);
        }
        int len = v < 0x40 ? 1 : v < 0x4000 ? 2 : v < 0x4000_0000 ? 4 : 8;
        int prefix = Integer.numberOfTrailingZeros(len) << 6; // 00, 01, 10, 11 in the two top bits
        for (int i = len - 1; i >= 0; i--) {
            int b = (int) (v >>> (8 * i)) & 0xff;
            out.write(i == len - 1 ? b | prefix : b);
        }
    }

    /** Length in bytes of the varint whose first byte is {@code first}. */
    public static int varintLength(byte first) {
        return 1 << ((first & 0xff) >>> 6);
    }

    /** Decodes the varint at {@code off}; the caller checks that {@link #varintLength} bytes are there. */
    public static long readVarint(byte[] b, int off) {
        int len = varintLength(b[off]);
        long v = b[off] & 0x3f;
        for (int i = 1; i < len; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    /** A complete HTTP/3 frame: type, length, payload. */
    public static byte[] frame(long type, byte[] payload) {
        return tlv(type, payload);
    }

    /** A complete capsule: type, length, value. */
    public static byte[] capsule(long type, byte[] value) {
        return tlv(type, value);
    }

    /** A frame header only (type and a declared length), e.g. to announce more DATA than is ever sent. */
    public static byte[] frameHeader(long type, long declaredLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16);
        writeVarint(out, type);
        writeVarint(out, declaredLength);
        return out.toByteArray();
    }

    private static byte[] tlv(long type, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 16);
        writeVarint(out, type);
        writeVarint(out, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    /**
     * A QPACK field section that uses neither tables nor Huffman: every line is a "literal field line with literal
     * name", in exactly the given order, names and values as given (not lower-cased, not validated). This is how
     * malformed requests get onto the wire: Netty's headers object reorders pseudo-headers and validates names.
     */
    public static byte[] qpackLiterals(List<Map.Entry<String, String>> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0); // Required Insert Count = 0: no dynamic table
        out.write(0); // Sign = 0, Delta Base = 0
        for (Map.Entry<String, String> field : fields) {
            byte[] name = field.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] value = field.getValue().getBytes(StandardCharsets.UTF_8);
            prefixedInt(out, 0x20, 3, name.length); // 001 N=0 H=0, 3-bit name length
            out.writeBytes(name);
            prefixedInt(out, 0x00, 7, value.length); // H=0, 7-bit value length
            out.writeBytes(value);
        }
        return out.toByteArray();
    }

    /** RFC 7541 §5.1 prefixed integer, as QPACK uses it. */
    static void prefixedInt(ByteArrayOutputStream out, int flags, int prefixBits, long value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            out.write(flags | (int) value);
            return;
        }
        out.write(flags | max);
        value -= max;
        while (value >= 0x80) {
            out.write((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }
}
