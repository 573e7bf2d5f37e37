package org.masquerelay.engine.h3;

import org.masquerelay.engine.DatagramReceiver;
import org.masquerelay.engine.HttpConnection;
import org.masquerelay.engine.RequestStream;
import org.masquerelay.wire.FrameReader;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.HttpDatagram;
import org.masquerelay.wire.VarInt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The DATA-frame side of a request stream, over any engine's {@link QuicStreamIo}, with the wire module's codec:
 * bulk reads, a DATA-frame cap, unknown frames skipped, one writer at a time. (Flupke's own reader takes byte 0xFF
 * for end of stream and closes the stream on unknown frames; see docs/upstream.md.)
 */
public abstract class FramedStream implements RequestStream {
    protected final QuicStreamIo io;
    protected final H3ConnectionBase connection;
    protected final Qpack qpack;
    protected final FrameReader reader;
    protected final FrameWriter writer;
    protected final long maxDataFrameSize;
    private final OutputStream bodyOut;
    private final AtomicBoolean sendingEnded = new AtomicBoolean();
    private final AtomicBoolean receivingAborted = new AtomicBoolean();

    protected FramedStream(QuicStreamIo io, H3ConnectionBase connection, Qpack qpack, int maxFieldSectionSize, long maxDataFrameSize) {
        this.io = io;
        this.connection = connection;
        this.qpack = qpack;
        this.maxDataFrameSize = maxDataFrameSize;
        this.reader = new FrameReader(io.in(), maxFieldSectionSize, maxDataFrameSize);
        this.writer = new FrameWriter(io.out(), this::finishQuietly);
        this.bodyOut = writer.dataOutputStream();
    }

    @Override
    public HttpConnection connection() {
        return connection;
    }

    @Override
    public long streamId() {
        return io.id();
    }

    @Override
    public int maxDatagramPayload() {
        return Math.max(0, connection.maxDatagramSize() - VarInt.length(streamId() >>> 2));
    }

    @Override
    public boolean sendDatagram(long contextId, byte[] data, int offset, int length) {
        // One array, one copy: Quarter Stream ID, Context ID, data.
        return connection.sendQuicDatagram(HttpDatagram.encode(streamId(), contextId, data, offset, length));
    }

    @Override
    public void receiveDatagrams(DatagramReceiver receiver) {
        connection.receiveDatagrams(streamId(), receiver);
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
            io.out().close();
        }
    }

    /** Writes the stream's last bytes (whole frames) with FIN, as one write where the engine can. */
    protected void finishWith(byte[] frames) throws IOException {
        if (!sendingEnded.compareAndSet(false, true)) {
            throw new IOException("the sending side of " + this + " has ended already");
        }
        io.writeAndFinish(frames);
    }

    private void finishQuietly() {
        try {
            finish();
        } catch (IOException ignored) {
            // The stream was reset meanwhile: nothing left to end.
        }
    }

    @Override
    public void reset(long h3ErrorCode) {
        if (sendingEnded.compareAndSet(false, true)) {
            io.resetOutput(h3ErrorCode);
        }
    }

    @Override
    public void stopSending(long h3ErrorCode) {
        if (receivingAborted.compareAndSet(false, true)) {
            io.abortInput(h3ErrorCode);
        }
    }

    @Override
    public String toString() {
        return "stream " + streamId() + " from " + connection.remoteAddress();
    }
}
