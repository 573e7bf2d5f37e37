package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.wire.TestStreams.bytes;
import static org.masquerelay.wire.TestStreams.concat;
import static org.masquerelay.wire.TestStreams.filled;
import static org.masquerelay.wire.TestStreams.frame;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FrameWriterTest {

    @Test
    void eachFrameIsOneWriteOfHeaderAndPayload() throws IOException {
        TestStreams.RecordingOutputStream out = new TestStreams.RecordingOutputStream();
        FrameWriter w = new FrameWriter(out);
        w.writeHeaders(bytes(1, 2));
        w.writeData(bytes(9, 8, 7, 6), 1, 2);
        w.writeFrame(0x21, new byte[70]);
        assertEquals(3, out.writes.size());
        assertArrayEquals(bytes(0x01, 0x02, 1, 2), out.writes.get(0));
        assertArrayEquals(bytes(0x00, 0x02, 8, 7), out.writes.get(1));
        assertArrayEquals(concat(bytes(0x21, 0x40, 70), new byte[70]), out.writes.get(2));
    }

    @Test
    void writtenFramesReadBack() throws IOException {
        TestStreams.RecordingOutputStream out = new TestStreams.RecordingOutputStream();
        FrameWriter w = new FrameWriter(out);
        byte[] big = TestStreams.sequence(20000); // 4-byte length
        w.writeHeaders(bytes(5, 5));
        w.writeData(big, 0, big.length);
        w.writeFrame(0x21 + 0x1f, bytes(1));
        w.writeData(bytes(3), 0, 1);
        w.writeHeaders(bytes(6));
        FrameReader r = new FrameReader(new ByteArrayInputStream(out.all.toByteArray()), 100, 100000);
        assertArrayEquals(bytes(5, 5), r.readFieldSection());
        assertArrayEquals(concat(big, bytes(3)), r.dataStream().readAllBytes());
        assertArrayEquals(bytes(6), r.trailers());
    }

    @Test
    void writeDataWithZeroLengthSendsAnEmptyFrame() throws IOException {
        TestStreams.RecordingOutputStream out = new TestStreams.RecordingOutputStream();
        new FrameWriter(out).writeData(new byte[0], 0, 0);
        assertArrayEquals(bytes(0x00, 0x00), out.all.toByteArray());
    }

    @Test
    void rejectsBadSlices() {
        FrameWriter w = new FrameWriter(new TestStreams.RecordingOutputStream());
        assertThrows(IndexOutOfBoundsException.class, () -> w.writeData(new byte[4], 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> w.writeData(new byte[4], -1, 2));
    }

    @Test
    void concurrentWritersNeverInterleave() throws Exception {
        TestStreams.RecordingOutputStream out = new TestStreams.RecordingOutputStream();
        FrameWriter w = new FrameWriter(out);
        int threads = 8;
        int framesPerThread = 200;
        List<Thread> list = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                OutputStream data = w.dataOutputStream();
                try {
                    for (int i = 0; i < framesPerThread; i++) {
                        data.write(filled(100 + id, id));
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            list.add(thread);
            thread.start();
        }
        for (Thread thread : list) {
            thread.join();
        }
        // Every DATA frame must hold only its writer's bytes, with the writer's length.
        ByteArrayInputStream in = new ByteArrayInputStream(out.all.toByteArray());
        int frames = 0;
        long type;
        while ((type = VarInt.readOrEof(in)) >= 0) {
            assertEquals(H3.FRAME_DATA, type);
            int length = (int) VarInt.read(in);
            byte[] payload = in.readNBytes(length);
            int id = payload[0];
            assertEquals(100 + id, length);
            assertArrayEquals(filled(length, id), payload);
            frames++;
        }
        assertEquals(threads * framesPerThread, frames);
    }

    @Test
    void dataOutputStreamMakesOneFramePerNonEmptyWrite() throws IOException {
        TestStreams.RecordingOutputStream out = new TestStreams.RecordingOutputStream();
        OutputStream data = new FrameWriter(out).dataOutputStream();
        data.write(new byte[0]);
        data.write(bytes(1, 2, 3), 1, 0);
        assertEquals(0, out.writes.size());
        data.write(bytes(1, 2, 3));
        data.write(0xff);
        assertEquals(2, out.writes.size());
        assertArrayEquals(bytes(0x00, 0x03, 1, 2, 3), out.writes.get(0));
        assertArrayEquals(bytes(0x00, 0x01, 0xff), out.writes.get(1));
        data.flush();
        assertEquals(1, out.flushes);
    }

    @Test
    void closeRunsOnCloseOnceAndLeavesTheStreamOpen() throws IOException {
        TestStreams.RecordingOutputStream out = new TestStreams.RecordingOutputStream();
        AtomicInteger fins = new AtomicInteger();
        OutputStream data = new FrameWriter(out, fins::incrementAndGet).dataOutputStream();
        data.close();
        data.close();
        assertEquals(1, fins.get());
        assertFalse(out.closed);
        assertThrows(IOException.class, () -> data.write(bytes(1)));
    }

    @Test
    void closeWithoutOnCloseClosesTheStream() throws IOException {
        TestStreams.RecordingOutputStream out = new TestStreams.RecordingOutputStream();
        new FrameWriter(out).dataOutputStream().close();
        assertTrue(out.closed);
    }

    @Test
    void settingsRoundTripInOrder() throws IOException {
        Map<Long, Long> settings = new LinkedHashMap<>();
        settings.put(H3.SETTINGS_QPACK_MAX_TABLE_CAPACITY, 0L);
        settings.put(H3.SETTINGS_MAX_FIELD_SECTION_SIZE, 16384L);
        settings.put(H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, 1L);
        settings.put(H3.SETTINGS_H3_DATAGRAM, 1L);
        settings.put(0x21 + 0x1f * 3L, VarInt.MAX); // GREASE
        byte[] frameBytes = FrameWriter.settingsFrame(settings);
        ControlStreamReader r = new ControlStreamReader(new ByteArrayInputStream(frameBytes), 1024);
        Frame f = r.readFrame();
        assertEquals(H3.FRAME_SETTINGS, f.type());
        Map<Long, Long> parsed = FrameWriter.parseSettings(f.payload());
        assertEquals(settings, parsed);
        assertEquals(new ArrayList<>(settings.keySet()), new ArrayList<>(parsed.keySet()));
    }

    @Test
    void settingsFrameBytesAreExact() {
        Map<Long, Long> settings = new LinkedHashMap<>();
        settings.put(H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, 1L);
        settings.put(H3.SETTINGS_H3_DATAGRAM, 1L);
        settings.put(H3.SETTINGS_MAX_FIELD_SECTION_SIZE, 16384L);
        assertArrayEquals(bytes(0x04, 0x09, 0x08, 0x01, 0x33, 0x01, 0x06, 0x80, 0x00, 0x40, 0x00),
                FrameWriter.settingsFrame(settings));
    }

    @Test
    void emptySettings() throws IOException {
        assertArrayEquals(bytes(0x04, 0x00), FrameWriter.settingsFrame(Map.of()));
        assertEquals(Map.of(), FrameWriter.parseSettings(new byte[0]));
    }

    @Test
    void duplicateSettingIsSettingsError() {
        H3StreamException e = assertThrows(H3StreamException.class,
                () -> FrameWriter.parseSettings(bytes(0x06, 0x01, 0x07, 0x00, 0x06, 0x02)));
        assertEquals(H3.H3_SETTINGS_ERROR, e.errorCode());
    }

    @Test
    void truncatedSettingsIsFrameError() {
        H3StreamException e = assertThrows(H3StreamException.class, () -> FrameWriter.parseSettings(bytes(0x06)));
        assertEquals(H3.H3_FRAME_ERROR, e.errorCode());
        e = assertThrows(H3StreamException.class, () -> FrameWriter.parseSettings(bytes(0x06, 0x40)));
        assertEquals(H3.H3_FRAME_ERROR, e.errorCode());
    }

    @Test
    void http2OnlySettingsArePassedToTheCaller() throws IOException {
        assertEquals(Map.of(0x02L, 0L), FrameWriter.parseSettings(bytes(0x02, 0x00)));
    }

    @Test
    void encodeFrameMatchesTheWireFormat() {
        assertArrayEquals(frame(0x1234, bytes(1, 2, 3)), FrameWriter.encodeFrame(0x1234, bytes(0, 1, 2, 3), 1, 3));
    }
}
