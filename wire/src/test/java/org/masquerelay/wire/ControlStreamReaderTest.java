package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.wire.TestStreams.bytes;
import static org.masquerelay.wire.TestStreams.concat;
import static org.masquerelay.wire.TestStreams.frame;
import static org.masquerelay.wire.TestStreams.frameHeader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ControlStreamReaderTest {

    private static final byte[] SETTINGS = frame(H3.FRAME_SETTINGS, bytes(0x06, 0x44, 0x00));

    private static ControlStreamReader reader(byte[]... parts) {
        return new ControlStreamReader(new ByteArrayInputStream(concat(parts)), 256);
    }

    private static void expect(long code, ControlStreamReader r) {
        H3StreamException e = assertThrows(H3StreamException.class, r::readFrame);
        assertEquals(code, e.errorCode(), e.getMessage());
    }

    @Test
    void returnsSettingsThenKnownFramesAndSkipsGrease() throws IOException {
        ControlStreamReader r = reader(SETTINGS, frame(0x21, new byte[1000]), frame(0x77, bytes(1)),
                frame(H3.FRAME_GOAWAY, bytes(0x08)), frame(H3.FRAME_MAX_PUSH_ID, bytes(0x00)));
        Frame settings = r.readFrame();
        assertEquals(H3.FRAME_SETTINGS, settings.type());
        assertEquals(Map.of(6L, 1024L), FrameWriter.parseSettings(settings.payload()));
        Frame goaway = r.readFrame();
        assertEquals(new Frame(H3.FRAME_GOAWAY, bytes(0x08)), goaway);
        assertEquals(8, goaway.singleVarInt());
        assertEquals(H3.FRAME_MAX_PUSH_ID, r.readFrame().type());
        expect(H3.H3_CLOSED_CRITICAL_STREAM, r);
    }

    @Test
    void firstFrameMustBeSettingsEvenIfReserved() {
        expect(H3.H3_MISSING_SETTINGS, reader(frame(0x21, bytes()), SETTINGS));
        expect(H3.H3_MISSING_SETTINGS, reader(frame(H3.FRAME_GOAWAY, bytes(0))));
    }

    @Test
    void secondSettingsIsUnexpected() throws IOException {
        ControlStreamReader r = reader(SETTINGS, SETTINGS);
        r.readFrame();
        expect(H3.H3_FRAME_UNEXPECTED, r);
    }

    @ParameterizedTest
    @ValueSource(longs = {0x00, 0x01, 0x05, 0x02, 0x06, 0x08, 0x09})
    void requestAndHttp2FramesAreUnexpected(long type) throws IOException {
        ControlStreamReader r = reader(SETTINGS, frame(type, bytes(0)));
        r.readFrame();
        expect(H3.H3_FRAME_UNEXPECTED, r);
    }

    @Test
    void knownFrameOverTheCapIsExcessiveLoadButUnknownOnesAreSkipped() throws IOException {
        ControlStreamReader r = reader(SETTINGS, frame(0x1234, new byte[5000]), frame(H3.FRAME_GOAWAY, new byte[257]));
        r.readFrame();
        expect(H3.H3_EXCESSIVE_LOAD, r);
    }

    @Test
    void declaredLengthAboveTheCapIsRefusedBeforeReading() throws IOException {
        ControlStreamReader r = new ControlStreamReader(
                new ByteArrayInputStream(concat(SETTINGS, frameHeader(H3.FRAME_GOAWAY, 1L << 50))), Integer.MAX_VALUE);
        r.readFrame();
        expect(H3.H3_EXCESSIVE_LOAD, r);
    }

    @Test
    void largeDeclaredLengthUnderTheCapDoesNotAllocateItUpFront() throws IOException {
        byte[] wire = concat(SETTINGS, frameHeader(H3.FRAME_GOAWAY, Integer.MAX_VALUE - 16), bytes(1, 2, 3));
        ControlStreamReader r = new ControlStreamReader(new ByteArrayInputStream(wire), Integer.MAX_VALUE);
        r.readFrame();
        long allocated = TestStreams.allocatedWhile(r::readFrame);
        assertTrue(allocated < 1 << 20, "allocated " + allocated);
        ControlStreamReader again = new ControlStreamReader(new ByteArrayInputStream(wire), Integer.MAX_VALUE);
        again.readFrame();
        expect(H3.H3_FRAME_ERROR, again);
    }

    @Test
    void truncatedFrameIsFrameError() {
        expect(H3.H3_FRAME_ERROR, reader(bytes(0x04, 0x03, 0x06)));
        expect(H3.H3_FRAME_ERROR, reader(bytes(0x04)));
    }

    @Test
    void singleVarIntPayloadMustBeExact() throws IOException {
        assertEquals(16384, new Frame(H3.FRAME_GOAWAY, VarInt.encode(16384)).singleVarInt());
        H3StreamException truncated = assertThrows(H3StreamException.class,
                () -> new Frame(H3.FRAME_GOAWAY, bytes(0x40)).singleVarInt());
        assertEquals(H3.H3_FRAME_ERROR, truncated.errorCode());
        H3StreamException extra = assertThrows(H3StreamException.class,
                () -> new Frame(H3.FRAME_GOAWAY, bytes(0x01, 0x02)).singleVarInt());
        assertEquals(H3.H3_FRAME_ERROR, extra.errorCode());
        assertThrows(H3StreamException.class, () -> new Frame(H3.FRAME_GOAWAY, new byte[0]).singleVarInt());
    }

    @Test
    void framesCompareByContent() {
        assertEquals(new Frame(4, bytes(1, 2)), new Frame(4, bytes(1, 2)));
        assertEquals(new Frame(4, bytes(1, 2)).hashCode(), new Frame(4, bytes(1, 2)).hashCode());
        assertNotEquals(new Frame(4, bytes(1, 2)), new Frame(4, bytes(1, 3)));
        assertNotEquals(new Frame(4, bytes(1, 2)), new Frame(7, bytes(1, 2)));
        assertArrayEquals(bytes(1), new Frame(0, bytes(1)).payload());
    }
}
