package org.masquerelay.engine.h3;

import org.junit.jupiter.api.Test;
import org.masquerelay.wire.HttpDatagram;
import org.masquerelay.wire.VarInt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine routes each HTTP Datagram to its request stream by Quarter Stream ID, holding early ones (bounded). */
class DatagramDemuxTest {

    private static byte[] datagram(long streamId, String text) {
        byte[] data = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return HttpDatagram.encode(streamId, 0, data, 0, data.length);
    }

    /** What a receiver got: each HTTP Datagram Payload (context id 0, then the text). */
    private static final class Got {
        final List<String> texts = new ArrayList<>();

        void datagram(byte[] buffer, int offset, int length) {
            assertEquals(0, buffer[offset], "context id 0 first");
            texts.add(new String(buffer, offset + 1, length - 1, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void routesByQuarterStreamIdIncludingLongIds() {
        DatagramDemux demux = new DatagramDemux(8);
        Got a = new Got();
        Got b = new Got();
        long far = 4L * 100_000; // a Quarter Stream ID of four varint bytes
        demux.register(0, a::datagram);
        demux.register(far, b::datagram);
        demux.accept(datagram(far, "for b"));
        demux.accept(datagram(0, "for a"));
        assertEquals(List.of("for a"), a.texts);
        assertEquals(List.of("for b"), b.texts);
        assertEquals(0, demux.unclaimedCount());
    }

    @Test
    void datagramsThatOvertakeTheirStreamAreHeldUntilItAsks() {
        DatagramDemux demux = new DatagramDemux(8);
        demux.accept(datagram(4, "early 1"));
        demux.accept(datagram(8, "other stream"));
        demux.accept(datagram(4, "early 2"));
        assertEquals(3, demux.unclaimedCount());
        Got got = new Got();
        demux.register(4, got::datagram);
        demux.accept(datagram(4, "later"));
        assertEquals(List.of("early 1", "early 2", "later"), got.texts, "in arrival order");
        assertEquals(1, demux.unclaimedCount(), "the other stream's datagram still waits");
    }

    @Test
    void theHoldIsBoundedAndDropsTheOldest() {
        DatagramDemux demux = new DatagramDemux(2);
        demux.accept(datagram(4, "1"));
        demux.accept(datagram(4, "2"));
        demux.accept(datagram(4, "3"));
        Got got = new Got();
        demux.register(4, got::datagram);
        assertEquals(List.of("2", "3"), got.texts);
    }

    @Test
    void aStreamThatStopsGetsNothingMore() {
        DatagramDemux demux = new DatagramDemux(1);
        Got got = new Got();
        demux.register(4, got::datagram);
        demux.register(4, null);
        demux.accept(datagram(4, "after"));
        assertTrue(got.texts.isEmpty());
        assertEquals(1, demux.unclaimedCount(), "held as for a stream that has not asked (bounded)");
    }

    @Test
    void malformedQuarterStreamIdsAreCountedAndDropped() {
        DatagramDemux demux = new DatagramDemux(8);
        Got got = new Got();
        demux.register(0, got::datagram);
        demux.accept(new byte[0]);
        demux.accept(new byte[]{0x40}); // a two-byte varint cut after one
        demux.accept(VarInt.encode(1L << 60)); // RFC 9297 §2.1: at most 2^60-1
        assertEquals(3, demux.malformedCount());
        assertTrue(got.texts.isEmpty());
        assertEquals(0, demux.unclaimedCount());
    }

    @Test
    void everyDropIsReportedWithItsReason() {
        DatagramDemux demux = new DatagramDemux(2);
        List<String> dropped = new ArrayList<>();
        demux.onDropped(dropped::add);
        demux.accept(new byte[]{0x40}); // malformed
        demux.accept(datagram(4, "1"));
        demux.accept(datagram(8, "2"));
        assertEquals(List.of("malformed"), dropped, "two held within the bound: nothing else dropped yet");
        demux.accept(datagram(12, "3")); // pushes out the oldest held one
        assertEquals(List.of("malformed", "unclaimed"), dropped);
        Got got = new Got();
        demux.register(8, got::datagram);
        demux.accept(datagram(8, "4"));
        assertEquals(List.of("2", "4"), got.texts);
        assertEquals(List.of("malformed", "unclaimed"), dropped, "delivered datagrams are no drops");
    }

    @Test
    void theReceiverSeesTheEnginesArrayWithoutACopy() {
        DatagramDemux demux = new DatagramDemux(8);
        byte[] sent = datagram(4, "x");
        byte[][] seen = new byte[1][];
        demux.register(4, (buffer, offset, length) -> {
            seen[0] = buffer;
            assertEquals(1, offset, "after the one-byte Quarter Stream ID");
            assertArrayEquals(new byte[]{0, 'x'}, Arrays.copyOfRange(buffer, offset, offset + length));
        });
        demux.accept(sent);
        assertTrue(seen[0] == sent);
    }
}
