package org.masquerelay.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A request stream (RFC 9114 §4.1; over HTTP/2 a stream, over HTTP/1.1 the connection after its request) after its
 * HEADERS frame: the bytes of the DATA frames in each direction. The engine owns the framing: {@link #body()} yields DATA payloads (unknown and reserved frame types skipped, a size cap per frame),
 * {@link #bodyOut()} wraps each write in one DATA frame. Blocking I/O: callers run on virtual threads.
 */
public interface RequestStream {

    HttpConnection connection();

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

    // HTTP Datagrams (RFC 9297) belong to their request stream, as in masque-go (str.SendDatagram / ReceiveDatagram):
    // the engine codes the Quarter Stream ID and routes what arrives. Here they travel outside the stream (QUIC
    // DATAGRAM frames on HTTP/3). A stream that has no such path (HTTP/2; HTTP/3 without QUIC DATAGRAM) reports 0
    // from maxDatagramPayload() and false from sendDatagram(), and the tunnel carries DATAGRAM capsules in the body
    // instead (RFC 9297 §3.5) -- or it implements sendDatagram() by writing a DATAGRAM capsule itself.

    /**
     * The largest HTTP Datagram Payload (Context ID included) that {@link #sendDatagram} can send now; 0 when HTTP
     * Datagrams cannot be sent outside this stream.
     */
    int maxDatagramPayload();

    /**
     * Sends one HTTP Datagram of this stream, whose payload is {@code contextId} (RFC 9298 §4, RFC 9484 §6) followed
     * by {@code data[offset..offset+length)}. Never blocks; false when it was dropped (too large, no datagrams on this
     * connection, closing, the engine's queue full): UDP semantics.
     */
    boolean sendDatagram(long contextId, byte[] data, int offset, int length);

    /**
     * Hands this stream's HTTP Datagrams to {@code receiver}, starting with those that arrived before (the engine
     * holds a bounded number); {@code null} stops the delivery and must be given once the stream's tunnel ends.
     */
    void receiveDatagrams(DatagramReceiver receiver);
}
