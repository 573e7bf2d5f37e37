package org.masquerelay.engine;

import org.masquerelay.wire.HttpFields;

import java.io.IOException;

/** A request stream as the server sees it: the request's field section has been read already. */
public interface ServerStream extends RequestStream {

    HttpFields requestHeaders();

    /** Sends the response HEADERS frame (":status" first). Once only. */
    void respond(HttpFields responseHeaders) throws IOException;

    /** Sends a complete response — HEADERS, the body (may be empty) and FIN — in one go. Instead of respond(). */
    void respondAndFinish(HttpFields responseHeaders, byte[] body) throws IOException;

    /**
     * The engine's data plane for a classic CONNECT on this stream: it connects to the target and carries the
     * tunnel's bytes. Ask before reading any of the request body: bytes already read are not forwarded.
     */
    TcpSplicer tcp();
}
