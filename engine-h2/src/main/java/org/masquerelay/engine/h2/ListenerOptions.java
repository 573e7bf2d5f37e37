package org.masquerelay.engine.h2;

/**
 * What the TLS-over-TCP listener needs beside the engine settings.
 *
 * @param proxyName the relay's name in Proxy-Status (for the few answers the listener gives itself: an HTTP/1.1
 *                  request it cannot parse)
 * @param h3Port    the UDP port of the relay's HTTP/3 listener, advertised as {@code Alt-Svc: h3=":PORT"} on every
 *                  response (RFC 7838) so a client that came over TCP learns it may try QUIC; 0 = none
 */
public record ListenerOptions(String proxyName, int h3Port) {

    /** The Alt-Svc value, or null when there is no HTTP/3 listener to advertise. */
    String altSvc() {
        return h3Port > 0 ? "h3=\":" + h3Port + "\"; ma=86400" : null;
    }
}
