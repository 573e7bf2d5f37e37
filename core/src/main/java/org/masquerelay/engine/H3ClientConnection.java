package org.masquerelay.engine;

import org.masquerelay.wire.HttpFields;

import java.io.IOException;

/** The client end of an HTTP/3 connection: it opens request streams. */
public interface H3ClientConnection extends H3Connection {

    /** Opens a bidirectional stream and sends the request HEADERS frame on it. */
    ClientStream openRequest(HttpFields requestHeaders) throws IOException;

    /** The peer's SETTINGS, once received (waits up to the given milliseconds); empty map if none arrived. */
    java.util.Map<Long, Long> peerSettings(long waitMillis);
}
