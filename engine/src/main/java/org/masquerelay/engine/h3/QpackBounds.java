package org.masquerelay.engine.h3;

import java.io.IOException;

/**
 * Walks a QPACK field section (RFC 9204 §4.5) before the qpack library decodes it, and refuses one whose integers
 * overflow or whose string literals claim more bytes than the section holds. The library allocates a string of the
 * claimed length before reading it: an 8-byte HEADERS payload claiming a 2 GB name made the relay throw
 * OutOfMemoryError (found by fuzzing, ConnectRequestFuzzTest#qpackFieldSection). Nothing is decoded here.
 */
final class QpackBounds {
    /** Larger integers than any index or length a section of at most 2^31 bytes can use. */
    private static final long MAX_INTEGER = Integer.MAX_VALUE;

    private final byte[] b;
    private int pos;

    private QpackBounds(byte[] section) {
        this.b = section;
    }

    /** @throws IOException naming the first representation that does not fit */
    static void check(byte[] section) throws IOException {
        new QpackBounds(section).walk();
    }

    private void walk() throws IOException {
        integer(8); // Required Insert Count
        integer(7); // Sign bit and Delta Base
        while (pos < b.length) {
            int first = b[pos] & 0xff;
            if ((first & 0x80) != 0) {
                integer(6); // indexed field line
            } else if ((first & 0x40) != 0) {
                integer(4); // literal with name reference
                string(7);
            } else if ((first & 0x20) != 0) {
                string(3); // literal with literal name: the name's H bit and length share the first byte
                string(7);
            } else if ((first & 0x10) != 0) {
                integer(4); // indexed field line with post-base index
            } else {
                integer(3); // literal with post-base name reference
                string(7);
            }
        }
    }

    /** A string literal: H bit, an integer with an n-bit prefix (in the byte at pos), then that many bytes. */
    private void string(int prefixBits) throws IOException {
        long length = integer(prefixBits);
        if (length > b.length - pos) {
            throw new IOException("malformed QPACK field section: a string literal of " + length + " bytes at offset "
                    + pos + " of a " + b.length + "-byte section");
        }
        pos += (int) length;
    }

    /** An integer with an n-bit prefix (RFC 7541 §5.1), starting in the byte at pos. */
    private long integer(int prefixBits) throws IOException {
        if (pos >= b.length) {
            throw truncated();
        }
        int max = (1 << prefixBits) - 1;
        long value = b[pos++] & max;
        if (value < max) {
            return value;
        }
        int shift = 0;
        while (true) {
            if (pos >= b.length) {
                throw truncated();
            }
            int next = b[pos++] & 0xff;
            value += (long) (next & 0x7f) << shift;
            if (value > MAX_INTEGER) {
                throw new IOException("malformed QPACK field section: an integer beyond 2^31 at offset " + pos);
            }
            if ((next & 0x80) == 0) {
                return value;
            }
            shift += 7;
            if (shift > 28) {
                throw new IOException("malformed QPACK field section: an integer longer than 5 bytes at offset " + pos);
            }
        }
    }

    private IOException truncated() {
        return new IOException("malformed QPACK field section: truncated at offset " + pos);
    }
}
