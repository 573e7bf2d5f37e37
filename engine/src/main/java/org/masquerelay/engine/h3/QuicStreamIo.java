package org.masquerelay.engine.h3;

import org.masquerelay.engine.TcpSplicer;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * What an engine gives for one bidirectional QUIC stream: its id, a blocking byte stream each way, and the two
 * abrupt endings. Closing {@link #out()} sends FIN. Everything HTTP/3 on top of it is {@link FramedStream}'s.
 */
public interface QuicStreamIo {

    long id();

    InputStream in();

    OutputStream out();

    /** Writes the last bytes of the stream and FIN together (one stream frame where the engine can). */
    default void writeAndFinish(byte[] bytes) throws java.io.IOException {
        OutputStream out = out();
        out.write(bytes);
        out.close();
    }

    /**
     * The application error code of the peer's RESET_STREAM on this stream, when one arrived and the engine tells it
     * (Kwik 0.10.8 does not: its reset reads as a bare "Stream reset by peer").
     */
    default java.util.OptionalLong peerResetCode() {
        return java.util.OptionalLong.empty();
    }

    /** RESET_STREAM with an application error code. */
    void resetOutput(long errorCode);

    /** STOP_SENDING with an application error code. */
    void abortInput(long errorCode);

    /**
     * The engine's own data plane for a classic CONNECT on this stream, taking over the stream's remaining bytes
     * (framed as DATA frames with at most {@code maxDataFrameSize} bytes each); empty when the engine has none and
     * the blocking streams above are copied by threads.
     */
    default Optional<TcpSplicer> tcpSplicer(long maxDataFrameSize) {
        return Optional.empty();
    }
}
