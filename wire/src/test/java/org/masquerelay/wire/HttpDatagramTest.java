package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.wire.TestStreams.bytes;
import static org.masquerelay.wire.TestStreams.concat;
import static org.masquerelay.wire.TestStreams.sequence;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HttpDatagram and UdpPayload. */
class HttpDatagramTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0", "4, 0", "252, 63", "256, 64", "65532, 16383", "65536, 16384", "4294967292, 0",
        "4611686018427387900, 4611686018427387903"
    })
    void roundTripsStreamAndContextIds(long streamId, long contextId) throws MalformedDatagramException {
        byte[] payload = sequence(33);
        byte[] dgram = HttpDatagram.encode(streamId, contextId, payload, 0, payload.length);
        assertEquals(HttpDatagram.overhead(streamId, contextId) + payload.length, dgram.length);

        HttpDatagram d = HttpDatagram.decode(dgram);
        assertEquals(streamId / 4, d.quarterStreamId());
        assertEquals(streamId, d.streamId());
        assertSame(dgram, d.buffer()); // no copy
        UdpPayload p = UdpPayload.decode(d.buffer(), d.offset(), d.length());
        assertEquals(contextId, p.contextId());
        assertArrayEquals(payload, p.payload());
        assertSame(dgram, p.buffer());
        assertEquals(d.offset() + VarInt.length(contextId), p.offset());
    }

    @Test
    void quarterStreamIdLengthBoundaries() {
        assertEquals(2, HttpDatagram.overhead(63 * 4, 0)); // quarter id 63: one byte
        assertEquals(3, HttpDatagram.overhead(64 * 4, 0)); // quarter id 64: two bytes
        assertEquals(3, HttpDatagram.overhead(16383 * 4, 0));
        assertEquals(5, HttpDatagram.overhead(16384 * 4, 0));
        assertEquals(9, HttpDatagram.overhead(0, 1L << 30));
    }

    @Test
    void encodedBytesAreExact() {
        assertArrayEquals(bytes(0x01, 0x00, 7, 8), HttpDatagram.encode(4, 0, bytes(6, 7, 8), 1, 2));
        assertArrayEquals(bytes(0x40, 0x40, 0x02), HttpDatagram.encode(256, 2, new byte[0], 0, 0));
    }

    @Test
    void rejectsStreamIdsThatCannotCarryDatagrams() {
        for (long bad : new long[] {1, 2, 3, 5, -4, VarInt.MAX + 1}) {
            assertThrows(IllegalArgumentException.class, () -> HttpDatagram.encode(bad, 0, new byte[0], 0, 0));
            assertThrows(IllegalArgumentException.class, () -> HttpDatagram.overhead(bad, 0));
        }
        assertThrows(IllegalArgumentException.class, () -> HttpDatagram.encode(0, -1, new byte[0], 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> HttpDatagram.encode(0, 0, new byte[2], 1, 2));
    }

    @Test
    void malformedDatagramsAreRejected() {
        assertThrows(MalformedDatagramException.class, () -> HttpDatagram.decode(new byte[0]));
        assertThrows(MalformedDatagramException.class, () -> HttpDatagram.decode(bytes(0x40)));
        assertThrows(MalformedDatagramException.class, () -> HttpDatagram.decode(bytes(0xc0, 0, 0, 0, 0, 0, 0)));
        // RFC 9297 §2.1: a Quarter Stream ID above 2^60-1 is an error.
        assertThrows(MalformedDatagramException.class, () -> HttpDatagram.decode(VarInt.encode(1L << 60)));
    }

    @Test
    void largestQuarterStreamIdIsAccepted() throws MalformedDatagramException {
        HttpDatagram d = HttpDatagram.decode(concat(VarInt.encode((1L << 60) - 1), bytes(0, 1)));
        assertEquals((1L << 60) - 1, d.quarterStreamId());
        assertEquals(2, d.length());
    }

    @Test
    void datagramWithOnlyAQuarterStreamIdHasAnEmptyPayload() throws MalformedDatagramException {
        HttpDatagram d = HttpDatagram.decode(bytes(0x05));
        assertEquals(5, d.quarterStreamId());
        assertEquals(0, d.length());
        assertEquals(1, d.offset());
        assertTrue(UdpPayload.decode(d.buffer(), d.offset(), d.length()).isMalformed());
    }

    @Test
    void udpPayloadDecodesWithinALargerBuffer() {
        byte[] buf = bytes(9, 9, 0x00, 1, 2, 3, 9);
        UdpPayload p = UdpPayload.decode(buf, 2, 4);
        assertTrue(p.isUdp());
        assertFalse(p.isMalformed());
        assertEquals(3, p.offset());
        assertEquals(3, p.length());
        assertArrayEquals(bytes(1, 2, 3), p.payload());
    }

    @Test
    void udpPayloadMayBeEmpty() {
        UdpPayload p = UdpPayload.decode(bytes(0x00), 0, 1);
        assertTrue(p.isUdp());
        assertEquals(0, p.length());
    }

    @Test
    void nonZeroContextIdsAreNotUdp() {
        UdpPayload p = UdpPayload.decode(bytes(0x40, 0x02, 7), 0, 3);
        assertEquals(2, p.contextId()); // non-minimal encoding of 2 is still 2
        assertFalse(p.isUdp());
    }

    @Test
    void truncatedContextIdIsMalformedNotUdp() {
        for (byte[] bad : new byte[][] {new byte[0], bytes(0x40), bytes(0x80, 0, 0)}) {
            UdpPayload p = UdpPayload.decode(bad, 0, bad.length);
            assertTrue(p.isMalformed());
            assertFalse(p.isUdp());
            assertEquals(UdpPayload.MALFORMED, p.contextId());
            assertEquals(0, p.length());
        }
        // A slice ending inside the context id, even if the array goes on.
        assertTrue(UdpPayload.decode(bytes(0x40, 0x00, 5), 0, 1).isMalformed());
    }

    @Test
    void slicesAreChecked() {
        assertThrows(IndexOutOfBoundsException.class, () -> UdpPayload.decode(new byte[3], 2, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> new HttpDatagram(0, new byte[3], 1, 3));
    }

    @Test
    void equalityComparesTheSliceContents() {
        assertEquals(new UdpPayload(0, bytes(9, 1, 2), 1, 2), new UdpPayload(0, bytes(1, 2), 0, 2));
        assertEquals(new UdpPayload(0, bytes(9, 1, 2), 1, 2).hashCode(), new UdpPayload(0, bytes(1, 2), 0, 2).hashCode());
        assertEquals(new HttpDatagram(3, bytes(1, 2, 3), 2, 1), new HttpDatagram(3, bytes(3), 0, 1));
        assertFalse(new HttpDatagram(3, bytes(3), 0, 1).equals(new HttpDatagram(4, bytes(3), 0, 1)));
    }
}
