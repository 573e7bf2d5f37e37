package org.masquerelay.engine;

import java.net.InetSocketAddress;

/** A TCP connection to a tunnel's target, opened by a {@link TcpSplicer} and handed back to it to carry the bytes. */
public interface TcpTarget {

    InetSocketAddress remoteAddress();

    /** Closes the connection (an unused Happy Eyeballs loser, or a tunnel that never started). Idempotent. */
    void close();
}
