package org.masquerelay.engine;

/**
 * Takes the HTTP Datagrams of one request stream ({@link RequestStream#receiveDatagrams}). Called in arrival order on
 * the connection's one datagram thread, so keep it short (a socket send, a queue offer) and never block on the
 * stream itself.
 */
@FunctionalInterface
public interface DatagramReceiver {
    /**
     * One HTTP Datagram Payload (RFC 9297 §2.1: what follows the Quarter Stream ID; for connect-udp a Context ID
     * and the UDP payload, RFC 9298 §5): {@code buffer[offset..offset+length)}, valid only during this call.
     */
    void datagram(byte[] buffer, int offset, int length);
}
