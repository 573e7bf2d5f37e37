package org.masquerelay.engine;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One HTTP connection that carries tunnels: HTTP/3 on whichever QUIC stack (Kwik, quiche), or HTTP/2 or HTTP/1.1 over
 * TLS (engine-h2). This interface, {@link RequestStream} and its two kinds are all that tunnels, policy, server and
 * client see of the transport: keep it narrow so another engine can sit beside the others.
 */
public interface HttpConnection {

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /**
     * Whether HTTP Datagrams may be sent on this connection: QUIC DATAGRAM was negotiated (RFC 9221) and the peer
     * sent SETTINGS_H3_DATAGRAM=1 (RFC 9297 §2.1.1). Until the peer's SETTINGS arrive this answers from the transport
     * parameters alone.
     */
    boolean datagramsEnabled();

    /**
     * The largest QUIC DATAGRAM payload (quarter stream id and context id included) the engine can send now, for
     * diagnostics; HTTP Datagrams themselves are sent and received on their request stream
     * ({@link RequestStream#sendDatagram}, {@link RequestStream#receiveDatagrams}).
     */
    int maxDatagramSize();

    /** Runs once the connection has ended, for whatever reason, with a readable reason. */
    void onClose(Consumer<String> listener);

    /** Closes the whole connection with an HTTP/3 error code (H3_NO_ERROR for a graceful end). */
    void close(long h3ErrorCode, String reason);

    boolean isOpen();

    /**
     * Tells {@code listener} of every HTTP Datagram the engine layer drops before a request stream has it, with a
     * reason from a closed set: "malformed" (its Quarter Stream ID truncated or out of range), "unclaimed" (held for a
     * stream that never took it, and pushed out by newer ones). One listener; a connection without datagrams never
     * calls it.
     */
    default void onDatagramDropped(Consumer<String> listener) {
    }

    /** Why the connection ended, once it has (the reason {@link #onClose} listeners were given). */
    default Optional<String> closeReason() {
        return Optional.empty();
    }

    /**
     * Sends something ack-eliciting that the peer ignores — a frame of a reserved type on our control stream (RFC
     * 9114 §7.2.8, §9) — so that a connection whose tunnels are quiet is not ended by the QUIC idle timeout while the
     * tunnels' own idle timeout has not passed. Does nothing on a connection that is closing.
     */
    default void keepAlive() {
    }

    /**
     * The peer's certificate as verified in the TLS handshake (mutual TLS, see
     * {@link EngineSettings#clientCaCertificates()}); empty when the peer presented none or the engine cannot tell.
     */
    default Optional<X509Certificate> peerCertificate() {
        return Optional.empty();
    }
}
