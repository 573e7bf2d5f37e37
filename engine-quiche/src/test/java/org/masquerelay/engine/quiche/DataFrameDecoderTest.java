package org.masquerelay.engine.quiche;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.H3StreamException;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event-loop DATA-frame decoder of the quiche data plane, fed the way QUIC hands bytes over: cut anywhere. */
class DataFrameDecoderTest {

    /** DATA payloads, reserved (GREASE) and unknown frames between them, split at every possible point. */
    @Test
    void payloadsSurviveEverySplitAndOtherFramesAreSkipped() throws Exception {
        byte[] a = new byte[300];
        byte[] b = new byte[70_000]; // its length takes a four-byte varint
        new Random(7).nextBytes(a);
        new Random(8).nextBytes(b);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(FrameWriter.encodeFrame(H3.FRAME_DATA, a, 0, a.length));
        wire.write(FrameWriter.encodeFrame(0x21, new byte[] {1, 2, 3}, 0, 3)); // reserved type (0x1f * N + 0x21, N = 0)
        wire.write(FrameWriter.encodeFrame(H3.FRAME_DATA, new byte[0], 0, 0));
        wire.write(FrameWriter.encodeFrame(0x7fff_ffffL, new byte[5], 0, 5)); // unknown, 4-byte type
        wire.write(FrameWriter.encodeFrame(H3.FRAME_DATA, b, 0, b.length));
        byte[] bytes = wire.toByteArray();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);

        for (int split : new int[] {1, 2, 3, 7, 301, 305, 310, 1000, 65_536, bytes.length}) {
            DataFrameDecoder decoder = new DataFrameDecoder(1 << 20);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int off = 0; off < bytes.length; off += split) {
                ByteBuf piece = Unpooled.wrappedBuffer(bytes, off, Math.min(split, bytes.length - off));
                decoder.decode(piece, payload -> {
                    byte[] chunk = new byte[payload.readableBytes()];
                    payload.readBytes(chunk);
                    payload.release();
                    out.write(chunk, 0, chunk.length);
                });
                assertFalse(piece.isReadable(), "every byte consumed");
            }
            assertArrayEquals(expected.toByteArray(), out.toByteArray(), "split " + split);
            assertTrue(decoder.atFrameBoundary(), "split " + split);
        }
    }

    @Test
    void aPartialFrameIsNotABoundary() throws Exception {
        DataFrameDecoder decoder = new DataFrameDecoder(1 << 20);
        List<ByteBuf> seen = new ArrayList<>();
        byte[] frame = FrameWriter.encodeFrame(H3.FRAME_DATA, new byte[10], 0, 10);
        decoder.decode(Unpooled.wrappedBuffer(frame, 0, 1), seen::add);
        assertFalse(decoder.atFrameBoundary(), "inside a frame header");
        decoder.decode(Unpooled.wrappedBuffer(frame, 1, 5), seen::add);
        assertFalse(decoder.atFrameBoundary(), "inside a payload");
        decoder.decode(Unpooled.wrappedBuffer(frame, 6, frame.length - 6), seen::add);
        assertTrue(decoder.atFrameBoundary());
        assertEquals(10, seen.stream().mapToInt(ByteBuf::readableBytes).sum());
        seen.forEach(ByteBuf::release);
    }

    @Test
    void anOversizedDataFrameIsExcessiveLoad() {
        DataFrameDecoder decoder = new DataFrameDecoder(1000);
        byte[] frame = FrameWriter.encodeFrame(H3.FRAME_DATA, new byte[1001], 0, 1001);
        H3StreamException e = assertThrows(H3StreamException.class,
                () -> decoder.decode(Unpooled.wrappedBuffer(frame), ByteBuf::release));
        assertEquals(H3.H3_EXCESSIVE_LOAD, e.errorCode());
    }

    @Test
    void controlFramesOnARequestStreamAreErrors() {
        DataFrameDecoder decoder = new DataFrameDecoder(1000);
        byte[] settings = FrameWriter.encodeFrame(H3.FRAME_SETTINGS, new byte[0], 0, 0);
        H3StreamException e = assertThrows(H3StreamException.class,
                () -> decoder.decode(Unpooled.wrappedBuffer(settings), ByteBuf::release));
        assertEquals(H3.H3_FRAME_UNEXPECTED, e.errorCode());
    }

    @Test
    void nothingMayFollowTrailers() throws Exception {
        DataFrameDecoder decoder = new DataFrameDecoder(1000);
        decoder.decode(Unpooled.wrappedBuffer(FrameWriter.encodeFrame(H3.FRAME_HEADERS, new byte[4], 0, 4)), ByteBuf::release);
        byte[] data = FrameWriter.encodeFrame(H3.FRAME_DATA, new byte[1], 0, 1);
        H3StreamException e = assertThrows(H3StreamException.class,
                () -> decoder.decode(Unpooled.wrappedBuffer(data), ByteBuf::release));
        assertEquals(H3.H3_FRAME_UNEXPECTED, e.errorCode());
    }
}
