package org.masquerelay.engine.h3;

import org.masquerelay.engine.HttpConnection;
import org.masquerelay.engine.ServerStream;
import org.masquerelay.engine.TcpSplicer;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/** A request stream on the server: reads the request section, sends one response section. */
public final class ServerRequestStream extends FramedStream implements ServerStream {
    private final AtomicBoolean responded = new AtomicBoolean();
    private HttpFields request;

    public ServerRequestStream(QuicStreamIo io, H3ConnectionBase connection, Qpack qpack, int maxFieldSectionSize, long maxDataFrameSize) {
        super(io, connection, qpack, maxFieldSectionSize, maxDataFrameSize);
    }

    /** Reads the request HEADERS frame (reserved frame types before it skipped); null when the stream ended first. */
    HttpFields readRequest() throws IOException {
        byte[] section = reader.readFieldSection();
        if (section == null) {
            return null;
        }
        request = qpack.decode(section);
        return request;
    }

    @Override
    public HttpFields requestHeaders() {
        return request;
    }

    @Override
    public void respond(HttpFields responseHeaders) throws IOException {
        if (!responded.compareAndSet(false, true)) {
            throw new IllegalStateException("response already sent on " + this);
        }
        writer.writeHeaders(qpack.encode(responseHeaders));
    }

    /**
     * A whole response at once: HEADERS, the body as one DATA frame (none when empty), and FIN, handed to the engine
     * as one write, so the answer is complete on the wire before anything else can happen to the stream.
     */
    @Override
    public void respondAndFinish(HttpFields responseHeaders, byte[] body) throws IOException {
        if (!responded.compareAndSet(false, true)) {
            throw new IllegalStateException("response already sent on " + this);
        }
        byte[] section = qpack.encode(responseHeaders);
        byte[] headers = FrameWriter.encodeFrame(H3.FRAME_HEADERS, section, 0, section.length);
        byte[] data = body.length == 0 ? new byte[0] : FrameWriter.encodeFrame(H3.FRAME_DATA, body, 0, body.length);
        byte[] all = new byte[headers.length + data.length];
        System.arraycopy(headers, 0, all, 0, headers.length);
        System.arraycopy(data, 0, all, headers.length, data.length);
        finishWith(all);
    }

    /** The engine's event-loop data plane when it has one and the body is still unread; threads otherwise. */
    @Override
    public TcpSplicer tcp() {
        if (reader.bodyUntouched()) {
            var own = io.tcpSplicer(maxDataFrameSize);
            if (own.isPresent()) {
                return own.get();
            }
        }
        return new SocketSplicer(this);
    }

    boolean responded() {
        return responded.get();
    }
}
