package org.masquerelay.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.masquerelay.wire.ControlStreamReader;
import org.masquerelay.wire.FieldSectionTooLargeException;
import org.masquerelay.wire.Frame;
import org.masquerelay.wire.FrameReader;
import org.masquerelay.wire.H3StreamException;

/**
 * HTTP/3 framing of request streams and control streams (RFC 9114 §7), as a peer sends it. Allowed outcomes: frames,
 * a clean end, or an {@link IOException} (an {@link H3StreamException} with its code for protocol errors) -- never
 * another exception, a buffer beyond the configured limits, or a read that loops.
 */
class FrameReaderFuzzTest {
    private static final int MAX_FIELD_SECTION = 1024;
    private static final int MAX_DATA_FRAME = 4096;

    @FuzzTest
    void requestStream(FuzzedDataProvider data) {
        int readSize = data.consumeInt(1, 64);
        byte[] stream = data.consumeRemainingAsBytes();
        FrameReader reader = new FrameReader(new ByteArrayInputStream(stream), MAX_FIELD_SECTION, MAX_DATA_FRAME);
        try {
            byte[] fields = reader.readFieldSection();
            if (fields == null) {
                return;
            }
            assertTrue(fields.length <= MAX_FIELD_SECTION, "field section beyond the limit");
            InputStream body = reader.dataStream();
            byte[] buffer = new byte[readSize];
            long total = 0;
            int n;
            while ((n = body.read(buffer, 0, buffer.length)) >= 0) {
                assertTrue(n > 0, "a read of a non-empty buffer returned 0 bytes");
                total += n;
                assertTrue(total <= stream.length, "more body than stream");
            }
            byte[] trailers = reader.trailers();
            assertTrue(trailers == null || trailers.length <= MAX_FIELD_SECTION, "trailers beyond the limit");
            assertTrue(body.read() == -1, "the body must stay ended");
        } catch (FieldSectionTooLargeException | H3StreamException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), "an error without a message");
        } catch (IOException e) {
            throw new AssertionError("only stream errors are expected from an in-memory stream", e);
        }
    }

    @FuzzTest
    void controlStream(byte[] stream) {
        ControlStreamReader reader = new ControlStreamReader(new ByteArrayInputStream(stream), MAX_FIELD_SECTION);
        try {
            for (int frames = 0; frames <= stream.length; frames++) {
                Frame frame = reader.readFrame();
                assertTrue(frame.payload().length <= MAX_FIELD_SECTION, "frame beyond the limit");
            }
            throw new AssertionError("more frames than bytes");
        } catch (H3StreamException e) {
            // every control stream ends in an error: it must never end (RFC 9114 §6.2.1)
        } catch (IOException e) {
            throw new AssertionError("only stream errors are expected from an in-memory stream", e);
        }
    }
}
