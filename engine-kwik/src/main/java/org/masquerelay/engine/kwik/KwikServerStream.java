package org.masquerelay.engine.kwik;

import org.masquerelay.engine.ServerStream;
import org.masquerelay.wire.HttpFields;
import tech.kwik.core.QuicStream;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/** A request stream on the server: reads the request section, sends one response section. */
final class KwikServerStream extends KwikH3Stream implements ServerStream {
    private final AtomicBoolean responded = new AtomicBoolean();
    private HttpFields request;

    KwikServerStream(QuicStream quic, KwikConnection connection, Qpack qpack, int maxFieldSectionSize, long maxDataFrameSize) {
        super(quic, connection, qpack, maxFieldSectionSize, maxDataFrameSize);
    }

    /** Reads the request HEADERS frame; null when the stream ended before one. */
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

    boolean responded() {
        return responded.get();
    }
}
