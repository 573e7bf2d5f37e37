package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.wire.TestStreams.bytes;
import static org.masquerelay.wire.TestStreams.concat;
import static org.masquerelay.wire.TestStreams.filled;
import static org.masquerelay.wire.TestStreams.frame;
import static org.masquerelay.wire.TestStreams.sequence;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** CapsuleReader, CapsuleWriter, CapsuleType and Capsule. */
class CapsuleTest {

    private static CapsuleReader reader(byte[] wire, int max) {
        return new CapsuleReader(new ByteArrayInputStream(wire), max);
    }

    /** Wraps capsule bytes in DATA frames of {@code chunk} bytes each, with a GREASE frame after every one. */
    private static InputStream overDataFrames(byte[] capsules, int chunk) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(frame(H3.FRAME_HEADERS, bytes(0, 0)));
        for (int off = 0; off < capsules.length; off += chunk) {
            wire.writeBytes(frame(H3.FRAME_DATA, Arrays.copyOfRange(capsules, off, Math.min(capsules.length, off + chunk))));
            wire.writeBytes(frame(0x21 + 0x1f * 2, bytes(7)));
        }
        FrameReader r = new FrameReader(new ByteArrayInputStream(wire.toByteArray()), 100, 1 << 20);
        r.readFieldSection();
        return r.dataStream();
    }

    @Test
    void roundTripsSeveralCapsules() throws IOException {
        byte[] wire = concat(CapsuleWriter.encode(CapsuleType.DATAGRAM, bytes(0, 1, 2), 0, 3),
                CapsuleWriter.encode(0x17, new byte[0], 0, 0),
                CapsuleWriter.encode(VarInt.MAX, sequence(70), 0, 70),
                CapsuleWriter.encode(0x40, bytes(9, 8, 7, 6), 1, 2));
        CapsuleReader r = reader(wire, 1000);
        assertEquals(new Capsule(0, bytes(0, 1, 2)), r.read());
        assertEquals(new Capsule(0x17, new byte[0]), r.read());
        assertEquals(new Capsule(VarInt.MAX, sequence(70)), r.read());
        assertEquals(new Capsule(0x40, bytes(8, 7)), r.read());
        assertNull(r.read());
        assertEquals(0, r.skippedCapsules());
    }

    @Test
    void encodeLayoutIsTypeLengthValue() {
        assertArrayEquals(bytes(0x00, 0x03, 0, 1, 2), CapsuleWriter.encode(0, bytes(0, 1, 2), 0, 3));
        byte[] big = CapsuleWriter.encode(0x29 + 0x17, new byte[300], 0, 300);
        assertArrayEquals(bytes(0x40, 0x40, 0x41, 0x2c), Arrays.copyOf(big, 4));
        assertEquals(304, big.length);
    }

    @Test
    void capsuleOfLength255WithFFBytesSurvivesTheDataStream() throws IOException {
        byte[] value = filled(255, 0xff);
        byte[] capsules = concat(CapsuleWriter.encode(0, value, 0, 255), CapsuleWriter.encode(0, bytes(0xff), 0, 1));
        CapsuleReader r = new CapsuleReader(overDataFrames(capsules, 1000), 1000);
        assertEquals(new Capsule(0, value), r.read());
        assertEquals(new Capsule(0, bytes(0xff)), r.read());
        assertNull(r.read());
    }

    @Test
    void capsuleSplitAcrossManyDataFramesIsReassembled() throws IOException {
        byte[] value = sequence(1000);
        byte[] capsules = concat(CapsuleWriter.datagramCapsule(0, value, 0, value.length),
                CapsuleWriter.encode(0x17, bytes(1, 2, 3), 0, 3), CapsuleWriter.datagramCapsule(5, value, 10, 20));
        for (int chunk : new int[] {1, 2, 3, 7, 100, 999}) {
            CapsuleReader r = new CapsuleReader(overDataFrames(capsules, chunk), 2000);
            Capsule c = r.read();
            assertEquals(CapsuleType.DATAGRAM, c.type());
            UdpPayload p = UdpPayload.decode(c.value(), 0, c.value().length);
            assertEquals(0, p.contextId());
            assertArrayEquals(value, p.payload(), "chunk " + chunk);
            assertEquals(new Capsule(0x17, bytes(1, 2, 3)), r.read());
            Capsule third = r.read();
            assertEquals(5, UdpPayload.decode(third.value(), 0, third.value().length).contextId());
            assertNull(r.read());
        }
    }

    @Test
    void oversizedCapsuleIsSkippedAndReadingContinues() throws IOException {
        byte[] wire = concat(CapsuleWriter.encode(0, new byte[101], 0, 101), CapsuleWriter.encode(0, bytes(1), 0, 1),
                CapsuleWriter.encode(0x29, new byte[5000], 0, 5000), CapsuleWriter.encode(0, new byte[100], 0, 100));
        CapsuleReader r = new CapsuleReader(overDataFrames(wire, 64), 100);
        assertEquals(new Capsule(0, bytes(1)), r.read());
        assertEquals(1, r.skippedCapsules());
        assertEquals(100, r.read().value().length); // exactly at the limit is kept
        assertEquals(2, r.skippedCapsules());
        assertNull(r.read());
    }

    @Test
    void hugeDeclaredLengthIsNeverAllocated() {
        byte[] wire = concat(bytes(0x00), VarInt.encode(VarInt.MAX), bytes(1, 2, 3));
        H3StreamException e = assertThrows(H3StreamException.class, () -> reader(wire, 1 << 20).read());
        assertEquals(H3.H3_MESSAGE_ERROR, e.errorCode());
        // Even with the largest cap, a truncated capsule fails cleanly instead of running out of memory.
        byte[] wire2 = concat(bytes(0x00), VarInt.encode(Integer.MAX_VALUE - 16), bytes(1, 2, 3));
        long allocated = TestStreams.allocatedWhile(() -> reader(wire2, Integer.MAX_VALUE).read());
        assertTrue(allocated < 1 << 20, "allocated " + allocated);
        e = assertThrows(H3StreamException.class, () -> reader(wire2, Integer.MAX_VALUE).read());
        assertEquals(H3.H3_MESSAGE_ERROR, e.errorCode());
        long allocatedSkipping = TestStreams.allocatedWhile(() -> reader(wire, 1 << 20).read());
        assertTrue(allocatedSkipping < 1 << 20, "allocated " + allocatedSkipping);
    }

    @Test
    void endOfStreamInsideACapsuleIsMessageError() {
        for (byte[] truncated : new byte[][] {bytes(0x40), bytes(0x00), bytes(0x00, 0x40), bytes(0x00, 0x05, 1, 2)}) {
            H3StreamException e = assertThrows(H3StreamException.class, () -> reader(truncated, 100).read());
            assertEquals(H3.H3_MESSAGE_ERROR, e.errorCode());
        }
    }

    @Test
    void endOfStreamInsideASkippedCapsuleIsMessageError() {
        byte[] wire = concat(bytes(0x00, 0x44, 0x00), new byte[10]); // declares 1024, carries 10
        H3StreamException e = assertThrows(H3StreamException.class, () -> reader(wire, 100).read());
        assertEquals(H3.H3_MESSAGE_ERROR, e.errorCode());
    }

    @Test
    void frameErrorsFromTheDataStreamPassThrough() throws IOException {
        byte[] wire = concat(frame(H3.FRAME_HEADERS, bytes(0, 0)), TestStreams.frameHeader(H3.FRAME_DATA, 10),
                bytes(0x00, 0x05, 1));
        FrameReader fr = new FrameReader(new ByteArrayInputStream(wire), 100, 100);
        fr.readFieldSection();
        H3StreamException e = assertThrows(H3StreamException.class, () -> new CapsuleReader(fr.dataStream(), 100).read());
        assertEquals(H3.H3_FRAME_ERROR, e.errorCode());
    }

    @Test
    void datagramCapsuleCarriesContextIdThenPayload() throws IOException {
        byte[] payload = sequence(10);
        assertArrayEquals(concat(bytes(0x00, 0x0b, 0x00), payload), CapsuleWriter.datagramCapsule(0, payload, 0, 10));
        byte[] c = CapsuleWriter.datagramCapsule(1000, payload, 2, 5); // 2-byte context id
        assertArrayEquals(concat(bytes(0x00, 0x07, 0x43, 0xe8), Arrays.copyOfRange(payload, 2, 7)), c);
        Capsule read = reader(c, 100).read();
        UdpPayload p = UdpPayload.decode(read.value(), 0, read.value().length);
        assertEquals(1000, p.contextId());
        assertArrayEquals(Arrays.copyOfRange(payload, 2, 7), p.payload());
    }

    @Test
    void datagramCapsuleWithALengthAcrossTheOneByteBoundary() throws IOException {
        // value = 1-byte context id + 63 bytes = 64: the capsule length needs two bytes.
        byte[] c = CapsuleWriter.datagramCapsule(0, new byte[63], 0, 63);
        assertArrayEquals(bytes(0x00, 0x40, 0x40, 0x00), Arrays.copyOf(c, 4));
        assertEquals(64, reader(c, 100).read().value().length);
    }

    @Test
    void reservedCapsuleTypesFollowTheirOwnPattern() {
        for (long n : new long[] {0, 1, 2, 1000, (VarInt.MAX - 0x17) / 0x29}) {
            assertTrue(CapsuleType.isReserved(0x29 * n + 0x17), "N=" + n);
        }
        assertTrue(CapsuleType.isReserved(0x40));
        assertTrue(CapsuleType.isReserved(0x69));
        for (long t : new long[] {0x00, 0x16, 0x18, 0x21, 0x41, 0x68}) {
            assertFalse(CapsuleType.isReserved(t), "0x" + Long.toHexString(t));
        }
        // HTTP/3 frame GREASE is a different pattern.
        assertTrue(H3.isReserved(0x21));
        assertFalse(CapsuleType.isReserved(0x21));
    }

    @Test
    void capsulesCompareByContentAndValidateType() {
        assertEquals(new Capsule(1, bytes(1)), new Capsule(1, bytes(1)));
        assertEquals(new Capsule(1, bytes(1)).hashCode(), new Capsule(1, bytes(1)).hashCode());
        assertNotEquals(new Capsule(1, bytes(1)), new Capsule(2, bytes(1)));
        assertNotEquals(new Capsule(1, bytes(1)), new Capsule(1, bytes(2)));
        assertThrows(IllegalArgumentException.class, () -> new Capsule(-1, bytes()));
        assertThrows(NullPointerException.class, () -> new Capsule(0, null));
        assertThrows(IllegalArgumentException.class, () -> new CapsuleReader(InputStream.nullInputStream(), -1));
    }
}
