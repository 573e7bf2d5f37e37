package org.masquerelay.engine;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * How an engine carries one classic CONNECT tunnel (RFC 9114 §4.4): it opens the TCP connection to the target and
 * then copies bytes between it and the request stream's DATA frames. An engine with an event loop (quiche) does both
 * on the loop that owns the QUIC connection, without a thread or a copy per chunk; a blocking engine (Kwik) uses a
 * socket and a virtual thread per direction. The tunnel semantics are the same everywhere: the client's FIN becomes
 * a TCP half-close and the target's FIN ends our side of the stream; a TCP reset becomes RESET_STREAM H3_CONNECT_ERROR
 * and a reset stream aborts the TCP connection (RST); bytes the client sent before the 200 are forwarded first.
 */
public interface TcpSplicer {

    /**
     * Starts one TCP connection attempt. The future fails with the connect error ({@code ConnectException},
     * {@code NoRouteToHostException}, {@code SocketTimeoutException}...); cancelling it abandons the attempt and
     * closes its socket. Happy Eyeballs races several of these.
     */
    CompletableFuture<TcpTarget> connect(InetSocketAddress address, Duration timeout);

    /**
     * Copies bytes both ways until both directions have ended, either side failed, or nothing moved for
     * {@code idleTimeout}; then closes the target. Blocks the calling (virtual) thread until the tunnel is over.
     */
    void splice(TcpTarget target, Duration idleTimeout, TunnelMeter meter);
}
