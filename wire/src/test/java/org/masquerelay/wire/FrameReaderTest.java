package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.wire.TestStreams.bytes;
import static org.masquerelay.wire.TestStreams.concat;
import static org.masquerelay.wire.TestStreams.frame;
import static org.masquerelay.wire.TestStreams.frameHeader;
import static org.masquerelay.wire.TestStreams.sequence;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameReaderTest {

    private static final byte[] FIELDS = bytes(0, 0, 0xd1, 0xd7); // stand-in for a QPACK field section

    private static FrameReader reader(byte[] wire) {
        return new FrameReader(new ByteArrayInputStream(wire), 1024, 65536);
    }

    private static H3StreamException streamError(long expectedCode, org.junit.jupiter.api.function.Executable e) {
        H3StreamException ex = assertThrows(H3StreamException.class, e);
        assertEquals(expectedCode, ex.errorCode(), ex.getMessage());
        return ex;
    }

    @Test
    void readsHeadersThenDataThenEnd() throws IOException {
        byte[] wire = concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, bytes(1, 2, 3)),
                frame(H3.FRAME_DATA, bytes(4, 5)));
        FrameReader r = reader(wire);
        assertArrayEquals(FIELDS, r.readFieldSection());
        assertArrayEquals(bytes(1, 2, 3, 4, 5), r.dataStream().readAllBytes());
        assertEquals(-1, r.dataStream().read());
        assertNull(r.trailers());
    }

    @Test
    void emptyStreamYieldsNull() throws IOException {
        assertNull(reader(new byte[0]).readFieldSection());
    }

    @Test
    void headersWithEmptyFieldSectionIsReturnedAsEmptyArray() throws IOException {
        assertArrayEquals(new byte[0], reader(frame(H3.FRAME_HEADERS, new byte[0])).readFieldSection());
    }

    @ParameterizedTest
    @ValueSource(longs = {0x21, 0x21 + 0x1f, 0x21 + 0x1f * 1000L, 0x10, 0x2a, 0x3fff, 0xF0700, 0xF0701})
    void skipsReservedUnknownAndPriorityUpdateFramesBeforeHeaders(long type) throws IOException {
        byte[] wire = concat(frame(type, sequence(300)), frame(H3.FRAME_HEADERS, FIELDS));
        assertArrayEquals(FIELDS, reader(wire).readFieldSection());
    }

    @Test
    void skipsLargeGreaseFrameWithSmallReads() throws IOException {
        byte[] wire = concat(frame(0x21 + 0x1f * 7, new byte[1_000_000]), frame(H3.FRAME_HEADERS, FIELDS));
        TestStreams.CountingInputStream in = new TestStreams.CountingInputStream(wire);
        FrameReader r = new FrameReader(in, 64, 64);
        assertArrayEquals(FIELDS, r.readFieldSection());
        // The 1 MB payload went through a small scratch buffer, never one sized by the peer's length.
        assertTrue(in.largestBulkRequest <= 8192, "largest read " + in.largestBulkRequest);
    }

    @Test
    void skipsGreaseAndUnknownFramesBetweenDataFrames() throws IOException {
        byte[] wire = concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, bytes(1, 2)),
                frame(0x21, bytes(9, 9, 9)), frame(0x1234, new byte[0]), frame(H3.FRAME_PRIORITY_UPDATE_REQUEST,
                        bytes(0, 0x75)), frame(H3.FRAME_DATA, bytes(3)));
        FrameReader r = reader(wire);
        r.readFieldSection();
        assertArrayEquals(bytes(1, 2, 3), r.dataStream().readAllBytes());
    }

    @Test
    void dataBeforeHeadersIsFrameUnexpected() {
        streamError(H3.H3_FRAME_UNEXPECTED, () -> reader(frame(H3.FRAME_DATA, bytes(1))).readFieldSection());
    }

    @ParameterizedTest
    @ValueSource(longs = {0x03, 0x04, 0x05, 0x07, 0x0d, 0x02, 0x06, 0x08, 0x09})
    void controlPushAndHttp2FramesAreUnexpectedBeforeHeaders(long type) {
        byte[] wire = concat(frame(type, bytes(0)), frame(H3.FRAME_HEADERS, FIELDS));
        streamError(H3.H3_FRAME_UNEXPECTED, () -> reader(wire).readFieldSection());
    }

    @ParameterizedTest
    @ValueSource(longs = {0x03, 0x04, 0x05, 0x07, 0x0d, 0x02, 0x06, 0x08, 0x09})
    void controlPushAndHttp2FramesAreUnexpectedInTheBody(long type) throws IOException {
        byte[] wire = concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, bytes(1)), frame(type, bytes(0)));
        FrameReader r = reader(wire);
        r.readFieldSection();
        InputStream data = r.dataStream();
        assertEquals(1, data.read());
        streamError(H3.H3_FRAME_UNEXPECTED, data::read);
    }

    @Test
    void oversizedHeadersAreSkippedAndReportedWithTheDeclaredSize() throws IOException {
        byte[] big = sequence(2000);
        byte[] wire = concat(frame(H3.FRAME_HEADERS, big), frame(H3.FRAME_HEADERS, FIELDS));
        FrameReader r = reader(wire);
        FieldSectionTooLargeException e = assertThrows(FieldSectionTooLargeException.class, r::readFieldSection);
        assertEquals(2000, e.declaredSize());
        assertEquals(1024, e.limit());
        // The frame was consumed: the stream is still in sync.
        assertArrayEquals(FIELDS, r.readFieldSection());
    }

    @Test
    void headersExactlyAtTheLimitAreAccepted() throws IOException {
        byte[] fields = sequence(1024);
        assertArrayEquals(fields, reader(frame(H3.FRAME_HEADERS, fields)).readFieldSection());
    }

    @Test
    void hugeDeclaredHeadersLengthNeverAllocates() {
        // Declares ~1 TB against a limit of ~2 GB: the reader must skip (and hit EOF), not allocate.
        byte[] wire = concat(frameHeader(H3.FRAME_HEADERS, 1L << 40), bytes(1, 2, 3));
        long allocated = TestStreams.allocatedWhile(() -> new FrameReader(new ByteArrayInputStream(wire),
                Integer.MAX_VALUE - 16, 1).readFieldSection());
        assertTrue(allocated < 1 << 20, "allocated " + allocated);
        streamError(H3.H3_FRAME_ERROR, () -> new FrameReader(new ByteArrayInputStream(wire), Integer.MAX_VALUE - 16,
                1).readFieldSection());
        // Under the limit but truncated: still no up-front allocation of the declared size.
        byte[] wire2 = concat(frameHeader(H3.FRAME_HEADERS, Integer.MAX_VALUE - 32), bytes(1, 2, 3));
        allocated = TestStreams.allocatedWhile(() -> new FrameReader(new ByteArrayInputStream(wire2),
                Integer.MAX_VALUE - 16, 1).readFieldSection());
        assertTrue(allocated < 1 << 20, "allocated " + allocated);
    }

    @Test
    void endOfStreamInsideAFrameIsFrameError() {
        streamError(H3.H3_FRAME_ERROR, () -> reader(bytes(0x40)).readFieldSection()); // inside the type
        streamError(H3.H3_FRAME_ERROR, () -> reader(bytes(0x01)).readFieldSection()); // before the length
        streamError(H3.H3_FRAME_ERROR, () -> reader(bytes(0x01, 0x40)).readFieldSection()); // inside the length
        streamError(H3.H3_FRAME_ERROR, () -> reader(bytes(0x01, 0x05, 1, 2)).readFieldSection()); // payload
        streamError(H3.H3_FRAME_ERROR, () -> reader(bytes(0x21, 0x05, 1, 2)).readFieldSection()); // skipped payload
    }

    @Test
    void cleanEndAfterSkippedFramesButBeforeHeadersIsRequestIncomplete() {
        streamError(H3.H3_REQUEST_INCOMPLETE, () -> reader(frame(0x21, bytes(1))).readFieldSection());
    }

    @Test
    void endOfStreamInsideDataPayloadIsFrameErrorAndSticks() throws IOException {
        byte[] wire = concat(frame(H3.FRAME_HEADERS, FIELDS), frameHeader(H3.FRAME_DATA, 10), bytes(1, 2, 3));
        FrameReader r = reader(wire);
        r.readFieldSection();
        InputStream data = r.dataStream();
        byte[] buf = new byte[16];
        assertEquals(3, data.read(buf, 0, 16));
        streamError(H3.H3_FRAME_ERROR, () -> data.read(buf, 0, 16));
        streamError(H3.H3_FRAME_ERROR, data::read);
    }

    @Test
    void endOfStreamInsideFrameHeaderAfterDataIsFrameError() throws IOException {
        byte[] wire = concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, bytes(1)), bytes(0x00, 0x40));
        FrameReader r = reader(wire);
        r.readFieldSection();
        InputStream data = r.dataStream();
        assertEquals(1, data.read());
        streamError(H3.H3_FRAME_ERROR, data::read);
    }

    @Test
    void dataFrameOverTheCapIsExcessiveLoad() throws IOException {
        byte[] wire = concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, new byte[100]),
                frame(H3.FRAME_DATA, new byte[101]));
        FrameReader r = new FrameReader(new ByteArrayInputStream(wire), 1024, 100);
        r.readFieldSection();
        InputStream data = r.dataStream();
        assertEquals(100, data.readNBytes(100).length); // exactly at the cap is fine
        streamError(H3.H3_EXCESSIVE_LOAD, () -> data.read(new byte[10], 0, 10));
    }

    @Test
    void trailersEndTheDataStreamAndAreKept() throws IOException {
        byte[] trailers = bytes(0, 0, 0x51, 0x52);
        byte[] wire = concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, bytes(7, 8)),
                frame(H3.FRAME_HEADERS, trailers), frame(H3.FRAME_DATA, bytes(99)));
        FrameReader r = reader(wire);
        r.readFieldSection();
        InputStream data = r.dataStream();
        assertArrayEquals(bytes(7, 8), data.readAllBytes());
        assertArrayEquals(trailers, r.trailers());
        assertEquals(-1, data.read());
    }

    @Test
    void oversizedTrailersAreReported() throws IOException {
        byte[] wire = concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_HEADERS, new byte[2000]));
        FrameReader r = reader(wire);
        r.readFieldSection();
        InputStream data = r.dataStream();
        FieldSectionTooLargeException e = assertThrows(FieldSectionTooLargeException.class, data::read);
        assertEquals(2000, e.declaredSize());
        assertEquals(-1, data.read());
    }

    @Test
    void singleByteReadReturns0xFFAsTwoHundredFiftyFive() throws IOException {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) (255 - i);
        }
        FrameReader r = reader(concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, all)));
        r.readFieldSection();
        InputStream data = r.dataStream();
        for (int i = 0; i < 256; i++) {
            assertEquals(255 - i, data.read());
        }
        assertEquals(-1, data.read());
    }

    @Test
    void bulkReadTakesTheWholeFramePayloadInOneUnderlyingRead() throws IOException {
        byte[] payload = sequence(1000);
        TestStreams.CountingInputStream in = new TestStreams.CountingInputStream(
                concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, payload), frame(H3.FRAME_DATA, bytes(5))));
        FrameReader r = new FrameReader(in, 1024, 65536);
        r.readFieldSection();
        int bulkBefore = in.bulkReads;
        byte[] buf = new byte[4096];
        assertEquals(1000, r.dataStream().read(buf, 0, buf.length)); // never crosses a frame boundary
        assertEquals(1, in.bulkReads - bulkBefore);
        assertArrayEquals(payload, java.util.Arrays.copyOf(buf, 1000));
        assertEquals(1, r.dataStream().read(buf, 0, buf.length));
        assertEquals(5, buf[0]);
    }

    @Test
    void partialUnderlyingReadsAreHandled() throws IOException {
        byte[] payload = sequence(500);
        TestStreams.CountingInputStream in = new TestStreams.CountingInputStream(
                concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, payload), frame(0x21, bytes(1, 2)),
                        frame(H3.FRAME_DATA, payload)), 7);
        FrameReader r = new FrameReader(in, 1024, 65536);
        assertArrayEquals(FIELDS, r.readFieldSection());
        assertArrayEquals(concat(payload, payload), r.dataStream().readAllBytes());
    }

    @Test
    void zeroLengthReadAndZeroLengthFrames() throws IOException {
        FrameReader r = reader(concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, new byte[0]),
                frame(H3.FRAME_DATA, new byte[0]), frame(H3.FRAME_DATA, bytes(42))));
        r.readFieldSection();
        InputStream data = r.dataStream();
        assertEquals(0, data.read(new byte[4], 0, 0));
        assertEquals(42, data.read());
        assertEquals(-1, data.read());
    }

    @Test
    void availableReportsBytesOfTheCurrentFrameOnly() throws IOException {
        FrameReader r = reader(concat(frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, bytes(1, 2, 3, 4)),
                frame(H3.FRAME_DATA, bytes(5))));
        r.readFieldSection();
        InputStream data = r.dataStream();
        assertEquals(0, data.available()); // no DATA frame entered yet
        assertEquals(1, data.read());
        assertEquals(3, data.available()); // not the 3 header bytes and byte 5 that follow
    }

    @Test
    void dataStreamNeedsHeadersFirstAndIsASingleInstance() throws IOException {
        FrameReader r = reader(frame(H3.FRAME_HEADERS, FIELDS));
        assertThrows(IllegalStateException.class, r::dataStream);
        r.readFieldSection();
        assertSame(r.dataStream(), r.dataStream());
    }

    @Test
    void interimHeadersCanBeReadOneAfterAnother() throws IOException {
        byte[] interim = bytes(0, 0, 0x5f, 0x01);
        FrameReader r = reader(concat(frame(H3.FRAME_HEADERS, interim), frame(0x21, bytes()),
                frame(H3.FRAME_HEADERS, FIELDS), frame(H3.FRAME_DATA, bytes(1))));
        assertArrayEquals(interim, r.readFieldSection());
        assertArrayEquals(FIELDS, r.readFieldSection());
        assertEquals(1, r.dataStream().read());
        assertThrows(IllegalStateException.class, r::readFieldSection);
    }

    @Test
    void closingTheDataStreamClosesTheUnderlyingStream() throws IOException {
        TestStreams.CountingInputStream in = new TestStreams.CountingInputStream(frame(H3.FRAME_HEADERS, FIELDS));
        FrameReader r = new FrameReader(in, 1024, 1024);
        r.readFieldSection();
        r.dataStream().close();
        assertTrue(in.closed);
    }

    @Test
    void rejectsNegativeLimits() {
        assertThrows(IllegalArgumentException.class, () -> new FrameReader(InputStream.nullInputStream(), -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new FrameReader(InputStream.nullInputStream(), 1, -1));
    }
}
