package org.masquerelay.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A request stream after its HEADERS frame: the bytes of the DATA frames in each direction. The engine owns the
 * framing: {@link #body()} yields DATA payloads (unknown and reserved frame types skipped, a size cap per frame),
 * {@link #bodyOut()} wraps each write in one DATA frame. Blocking I/O: callers run on virtual threads.
 */
public interface H3Stream {

    H3Connection connection();

    /** The QUIC stream id (the HTTP Datagram quarter stream id is this divided by four). */
    long streamId();

    /**
     * DATA payloads received on this stream, as one byte stream; -1 at the peer's FIN. Throws an IOException
     * (an {@code H3StreamException} with the code to reset with, for a framing error) when the peer resets the stream
     * or the framing is wrong.
     */
    InputStream body();

    /** Writes DATA frames. {@code close()} on it sends FIN, like {@link #finish()}. Thread-safe. */
    OutputStream bodyOut();

    /** Ends the sending side cleanly (QUIC FIN). Idempotent. */
    void finish() throws IOException;

    /** Abruptly ends the sending side (RESET_STREAM with an HTTP/3 error code). Idempotent. */
    void reset(long h3ErrorCode);

    /** Asks the peer to stop sending (STOP_SENDING with an HTTP/3 error code). Idempotent. */
    void stopSending(long h3ErrorCode);
}
