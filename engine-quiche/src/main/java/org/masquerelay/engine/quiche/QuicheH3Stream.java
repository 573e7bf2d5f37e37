package org.masquerelay.engine.quiche;

import io.netty.handler.codec.quic.QuicStreamChannel;
import org.masquerelay.engine.H3Connection;
import org.masquerelay.engine.H3Stream;
import org.masquerelay.wire.FrameReader;
import org.masquerelay.wire.FrameWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/** The DATA-frame side of a request stream on quiche, with the wire module's codec (the same as the Kwik engine's). */
abstract class QuicheH3Stream implements H3Stream {
    protected final StreamBridge bridge;
    protected final QuicheConnection connection;
    protected final Qpack qpack;
    protected final FrameReader reader;
    protected final FrameWriter writer;
    private final OutputStream bodyOut;
    private final AtomicBoolean sendingEnded = new AtomicBoolean();
    private final AtomicBoolean receivingAborted = new AtomicBoolean();

    QuicheH3Stream(StreamBridge bridge, QuicheConnection connection) {
        this.bridge = bridge;
        this.connection = connection;
        this.qpack = connection.qpack;
        this.reader = new FrameReader(bridge.in(), connection.maxFieldSectionSize, connection.maxDataFrameSize);
        this.writer = new FrameWriter(bridge.out(), this::finishQuietly);
        this.bodyOut = writer.dataOutputStream();
    }

    private QuicStreamChannel channel() {
        return bridge.channel();
    }

    @Override
    public H3Connection connection() {
        return connection;
    }

    @Override
    public long streamId() {
        return channel().streamId();
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
            bridge.out().close();
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
            channel().shutdownOutput((int) h3ErrorCode); // RESET_STREAM
        }
    }

    @Override
    public void stopSending(long h3ErrorCode) {
        if (receivingAborted.compareAndSet(false, true)) {
            channel().shutdownInput((int) h3ErrorCode); // STOP_SENDING
        }
    }

    @Override
    public String toString() {
        return "stream " + streamId() + " from " + connection.remoteAddress();
    }
}
