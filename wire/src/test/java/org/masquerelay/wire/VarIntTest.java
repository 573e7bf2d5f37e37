package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.masquerelay.wire.TestStreams.bytes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VarIntTest {

    @ParameterizedTest
    @CsvSource({
        "0, 1", "1, 1", "63, 1", "64, 2", "255, 2", "16383, 2", "16384, 4", "1073741823, 4", "1073741824, 8",
        "4611686018427387903, 8"
    })
    void roundTripsAtEveryLengthBoundary(long value, int length) throws IOException {
        assertEquals(length, VarInt.length(value));
        byte[] encoded = VarInt.encode(value);
        assertEquals(length, encoded.length);

        assertEquals(value, VarInt.read(new ByteArrayInputStream(encoded)));
        assertEquals(value, VarInt.readOrEof(new ByteArrayInputStream(encoded)));
        assertEquals(value, VarInt.read(ByteBuffer.wrap(encoded)));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VarInt.write(value, out);
        assertArrayEquals(encoded, out.toByteArray());

        ByteBuffer buf = ByteBuffer.allocate(8);
        VarInt.write(value, buf);
        assertEquals(length, buf.position());
        assertArrayEquals(encoded, java.util.Arrays.copyOf(buf.array(), length));
    }

    /** The sample encodings of RFC 9000 §A.1. */
    @Test
    void decodesRfc9000Examples() throws IOException {
        assertEquals(151288809941952652L,
                VarInt.read(new ByteArrayInputStream(bytes(0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c))));
        assertEquals(494878333L, VarInt.read(new ByteArrayInputStream(bytes(0x9d, 0x7f, 0x3e, 0x7d))));
        assertEquals(15293L, VarInt.read(new ByteArrayInputStream(bytes(0x7b, 0xbd))));
        assertEquals(37L, VarInt.read(new ByteArrayInputStream(bytes(0x25))));
        // Non-minimal encodings are valid (RFC 9000 §16).
        assertEquals(37L, VarInt.read(new ByteArrayInputStream(bytes(0x40, 0x25))));
        assertEquals(37L, VarInt.read(ByteBuffer.wrap(bytes(0x40, 0x25))));
        assertArrayEquals(bytes(0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c), VarInt.encode(151288809941952652L));
        assertArrayEquals(bytes(0x9d, 0x7f, 0x3e, 0x7d), VarInt.encode(494878333L));
        assertArrayEquals(bytes(0x7b, 0xbd), VarInt.encode(15293L));
    }

    @Test
    void bytesAbove0x7fAreNotMistakenForEndOfStream() throws IOException {
        assertEquals(255, VarInt.read(new ByteArrayInputStream(bytes(0x40, 0xff))));
        assertEquals(VarInt.MAX, VarInt.read(new ByteArrayInputStream(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))));
    }

    @Test
    void rejectsNegativeAndTooLargeValues() {
        for (long bad : new long[] {-1, Long.MIN_VALUE, VarInt.MAX + 1, Long.MAX_VALUE}) {
            assertThrows(IllegalArgumentException.class, () -> VarInt.encode(bad));
            assertThrows(IllegalArgumentException.class, () -> VarInt.length(bad));
            assertThrows(IllegalArgumentException.class, () -> VarInt.write(bad, new ByteArrayOutputStream()));
            assertThrows(IllegalArgumentException.class, () -> VarInt.write(bad, ByteBuffer.allocate(8)));
        }
    }

    @Test
    void cleanEndOfStreamIsMinusOneOnlyBeforeTheFirstByte() throws IOException {
        assertEquals(-1, VarInt.readOrEof(new ByteArrayInputStream(new byte[0])));
        assertThrows(EOFException.class, () -> VarInt.read(new ByteArrayInputStream(new byte[0])));
        // Truncated 2-, 4- and 8-byte integers.
        assertThrows(EOFException.class, () -> VarInt.readOrEof(new ByteArrayInputStream(bytes(0x40))));
        assertThrows(EOFException.class, () -> VarInt.read(new ByteArrayInputStream(bytes(0x80, 1, 2))));
        assertThrows(EOFException.class, () -> VarInt.read(new ByteArrayInputStream(bytes(0xc0, 1, 2, 3, 4, 5, 6))));
    }

    @Test
    void readsExactlyOneIntegerFromAStream() throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes(0x40, 0x40, 0x07, 0x25));
        assertEquals(64, VarInt.read(in));
        assertEquals(7, VarInt.read(in));
        assertEquals(37, VarInt.readOrEof(in));
        assertEquals(-1, VarInt.readOrEof(in));
    }

    @Test
    void truncatedBufferLeavesPositionUnchanged() {
        ByteBuffer buf = ByteBuffer.wrap(bytes(0x05, 0x80, 0x00));
        assertEquals(5, VarInt.read(buf));
        assertThrows(BufferUnderflowException.class, () -> VarInt.read(buf));
        assertEquals(1, buf.position());
        assertThrows(BufferUnderflowException.class, () -> VarInt.read(ByteBuffer.allocate(0)));
    }

    @Test
    void writeToAFullBufferOverflows() {
        assertThrows(BufferOverflowException.class, () -> VarInt.write(16384, ByteBuffer.allocate(3)));
    }

    @Test
    void putWritesAtOffsetAndReturnsTheNextOffset() {
        byte[] out = new byte[10];
        int next = VarInt.put(16384, out, 3);
        assertEquals(7, next);
        assertEquals(16384, VarInt.read(ByteBuffer.wrap(out, 3, 4)));
    }
}
