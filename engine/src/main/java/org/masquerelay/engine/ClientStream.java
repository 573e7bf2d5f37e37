package org.masquerelay.engine;

import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.time.Duration;

/**
 * A request stream as the client sees it: the request HEADERS frame has been sent; DATA may be written at once
 * (optimistic data), before the response arrives.
 */
public interface ClientStream extends RequestStream {

    /**
     * Waits for the response field section (interim 1xx responses skipped). Throws an IOException when the stream is
     * reset or closed before a response, or {@code java.net.SocketTimeoutException} after the timeout.
     */
    HttpFields awaitResponse(Duration timeout) throws IOException;
}
