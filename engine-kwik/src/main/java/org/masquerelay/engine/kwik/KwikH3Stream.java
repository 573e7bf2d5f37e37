package org.masquerelay.engine.kwik;

import org.masquerelay.engine.H3Connection;
import org.masquerelay.engine.H3Stream;
import org.masquerelay.wire.FrameReader;
import org.masquerelay.wire.FrameWriter;
import tech.kwik.core.QuicStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The DATA-frame side of a request stream on Kwik, with our own codec (Flupke's reader takes byte 0xFF for end of
 * stream, closes the stream on unknown frames and reads DATA frames without a size cap; see docs/upstream.md).
 */
abstract class KwikH3Stream implements H3Stream {
    protected final QuicStream quic;
    protected final KwikConnection connection;
    protected final Qpack qpack;
    protected final FrameReader reader;
    protected final FrameWriter writer;
    private final OutputStream out;
    private final OutputStream bodyOut;
    private final AtomicBoolean sendingEnded = new AtomicBoolean();
    private final AtomicBoolean receivingAborted = new AtomicBoolean();

    KwikH3Stream(QuicStream quic, KwikConnection connection, Qpack qpack, int maxFieldSectionSize, long maxDataFrameSize) {
        this.quic = quic;
        this.connection = connection;
        this.qpack = qpack;
        this.reader = new FrameReader(quic.getInputStream(), maxFieldSectionSize, maxDataFrameSize);
        this.out = SendKicker.kicking(quic.getOutputStream(), quic.getStreamId(), connection::wakeSender);
        this.writer = new FrameWriter(out, this::finishQuietly);
        this.bodyOut = writer.dataOutputStream();
    }

    @Override
    public H3Connection connection() {
        return connection;
    }

    @Override
    public long streamId() {
        return quic.getStreamId();
    }

    @Override
    public InputStream body() {
        return reader.dataStream();
    }

    @Override
    public OutputStream bodyOut() {
        return bodyOut;
    }

    @Override
    public void finish() throws IOException {
        if (sendingEnded.compareAndSet(false, true)) {
            out.close();
        }
    }

    private void finishQuietly() {
        try {
            finish();
        } catch (IOException ignored) {
            // The stream was reset meanwhile: nothing left to end.
        }
    }

    boolean sendingEnded() {
        return sendingEnded.get();
    }

    @Override
    public void reset(long h3ErrorCode) {
        if (sendingEnded.compareAndSet(false, true)) {
            quic.resetStream(h3ErrorCode);
        }
    }

    @Override
    public void stopSending(long h3ErrorCode) {
        if (receivingAborted.compareAndSet(false, true)) {
            quic.abortReading(h3ErrorCode);
        }
    }

    @Override
    public String toString() {
        return "stream " + streamId() + " from " + connection.remoteAddress();
    }
}
