package org.masquerelay.engine.h3;

import org.masquerelay.engine.H3Connection;
import org.masquerelay.engine.ServerStream;
import org.masquerelay.engine.TcpSplicer;
import org.masquerelay.tunnel.SocketSplicer;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/** A request stream on the server: reads the request section, sends one response section. */
public final class ServerRequestStream extends FramedStream implements ServerStream {
    private final AtomicBoolean responded = new AtomicBoolean();
    private HttpFields request;

    public ServerRequestStream(QuicStreamIo io, H3Connection connection, Qpack qpack, int maxFieldSectionSize, long maxDataFrameSize) {
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
