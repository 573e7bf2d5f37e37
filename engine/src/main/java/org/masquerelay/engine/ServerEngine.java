package org.masquerelay.engine;

import java.net.InetSocketAddress;

/**
 * A running listener: HTTP/3 on one UDP address here (each QUIC engine has one); an HTTP/2 listener on TCP joins the
 * relay through the same interface. What the relay asks of every listener, whatever its transport: its address, how
 * many connections it holds, a graceful drain, and a close.
 */
public interface ServerEngine extends AutoCloseable {

    InetSocketAddress localAddress();

    /** The HTTP version it serves, as metrics and logs name it: "h3" (HTTP/3 over QUIC) or "h2" (HTTP/2 over TLS). */
    default String transport() {
        return "h3";
    }

    /** Client connections open now (handshake complete, not yet closed). */
    int openConnections();

    /**
     * Starts a graceful drain, and returns at once: new connections are refused from now on (closed as soon as they
     * complete their handshake, with no error, the reason saying the relay is going away), and every open connection is told to
     * open no more requests (HTTP/3 GOAWAY, RFC 9114 §5.2; HTTP/2 GOAWAY, RFC 9113 §6.8). Requests already accepted
     * run on until they end or {@link #close()}. Returns the number of connections told; a second call tells none.
     */
    int drain();

    /**
     * Certificate rotation: handshakes from now on present this identity (one private key entry with its chain);
     * connections already open keep theirs. False when this engine cannot take a new identity without restarting the
     * listener (which would close every connection): then it keeps the old one.
     *
     * @throws java.io.IOException when the identity cannot be used (no key under the alias, unreadable)
     */
    default boolean replaceIdentity(java.security.KeyStore keyStore, String alias, char[] password) throws java.io.IOException {
        return false;
    }

    /** Stops accepting, closes every connection, releases the socket and threads. */
    @Override
    void close();
}
