package org.masquerelay.engine;

import org.masquerelay.wire.HttpFields;

import java.io.IOException;

/** The client end of an HTTP connection to a relay (HTTP/3, HTTP/2 or HTTP/1.1): it opens request streams. */
public interface ClientConnection extends HttpConnection {

    /**
     * Opens a bidirectional stream and sends the request HEADERS frame on it. Throws
     * {@link RequestNotProcessedException} once the relay has sent GOAWAY.
     */
    ClientStream openRequest(HttpFields requestHeaders) throws IOException;

    /**
     * Sends one more frame on our control stream after SETTINGS — a reserved (GREASE) type or PRIORITY_UPDATE, as
     * real clients do — so tests can check that a relay ignores them (RFC 9114 §7.2.8, §9).
     */
    default void sendControlFrame(long type, byte[] payload) throws IOException {
        throw new IOException("this engine cannot send extra control-stream frames");
    }

    /**
     * Whether a new request may go on this connection: it is open and the relay has not sent GOAWAY (RFC 9114 §5.2).
     * Requests opened before the GOAWAY run on; {@link #openRequest} afterwards throws
     * {@link RequestNotProcessedException}.
     */
    default boolean acceptsNewStreams() {
        return isOpen();
    }

    /**
     * The stream id of the relay's GOAWAY, once one has arrived: over HTTP/3 the first request stream it will not
     * process (RFC 9114 §5.2), over HTTP/2 the last one it may have (RFC 9113 §6.8).
     */
    default java.util.OptionalLong goAwayStreamId() {
        return java.util.OptionalLong.empty();
    }

    /** Runs {@code listener} with the GOAWAY's stream id once the relay sends GOAWAY (at once if it has). */
    default void onGoAway(java.util.function.LongConsumer listener) {
    }

    /** The peer's SETTINGS, once received (waits up to the given milliseconds); empty map if none arrived. */
    java.util.Map<Long, Long> peerSettings(long waitMillis);
}
