package org.masquerelay.engine.h2;

import org.masquerelay.engine.ClientConnection;

/**
 * A client's connection to a relay over TLS on TCP ({@link H2ClientEngine}), behind the same interface as an HTTP/3
 * one: the relay client opens its tunnel requests on it whatever the transport. No QUIC DATAGRAM here:
 * {@link #datagramsEnabled()} is false, so connect-udp payloads travel as DATAGRAM capsules in the request stream.
 */
public interface TlsClientConnection extends ClientConnection {

    /** What ALPN chose: {@code "h2"} or {@code "http/1.1"}. */
    String protocol();
}
