package org.masquerelay.engine;

import java.net.InetSocketAddress;

/** A running HTTP/3 listener on one UDP socket. */
public interface ServerEngine extends AutoCloseable {

    InetSocketAddress localAddress();

    /** Stops accepting, closes every connection, releases the socket and threads. */
    @Override
    void close();
}
