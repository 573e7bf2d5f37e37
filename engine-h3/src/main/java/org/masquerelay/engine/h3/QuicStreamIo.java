package org.masquerelay.engine.h3;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * What an engine gives for one bidirectional QUIC stream: its id, a blocking byte stream each way, and the two
 * abrupt endings. Closing {@link #out()} sends FIN. Everything HTTP/3 on top of it is {@link FramedStream}'s.
 */
public interface QuicStreamIo {

    long id();

    InputStream in();

    OutputStream out();

    /** RESET_STREAM with an application error code. */
    void resetOutput(long errorCode);

    /** STOP_SENDING with an application error code. */
    void abortInput(long errorCode);
}
