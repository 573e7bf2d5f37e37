package org.masquerelay.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.masquerelay.wire.VarInt;

/** QUIC variable-length integers (RFC 9000 §16), the first thing read from every frame, capsule and datagram. */
class VarIntFuzzTest {

    @FuzzTest
    void varint(byte[] input) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(input);
        ByteArrayInputStream in = new ByteArrayInputStream(input);
        while (buf.hasRemaining()) {
            int before = buf.position();
            long fromBuffer;
            try {
                fromBuffer = VarInt.read(buf);
            } catch (BufferUnderflowException e) {
                // Truncated: the stream reader must say so too, as an EOF, never as a value.
                try {
                    VarInt.read(in);
                    throw new AssertionError("stream reader returned a value for a truncated varint");
                } catch (EOFException expected) {
                    return;
                }
            }
            long fromStream = VarInt.read(in);
            assertEquals(fromBuffer, fromStream, "buffer and stream readers disagree");
            assertTrue(fromBuffer >= 0 && fromBuffer <= VarInt.MAX, "out of range: " + fromBuffer);
            int consumed = buf.position() - before;
            // Non-minimal encodings are legal (RFC 9000 §16); our encoding is minimal and decodes to the same value.
            byte[] encoded = VarInt.encode(fromBuffer);
            assertEquals(VarInt.length(fromBuffer), encoded.length);
            assertTrue(encoded.length <= consumed, "encoding longer than the input's");
            assertEquals(fromBuffer, VarInt.read(ByteBuffer.wrap(encoded)));
            if (encoded.length == consumed) {
                assertArrayEquals(encoded, java.util.Arrays.copyOfRange(input, before, before + consumed));
            }
        }
        assertEquals(-1, VarInt.readOrEof(in), "stream reader saw more than the buffer reader");
    }
}
