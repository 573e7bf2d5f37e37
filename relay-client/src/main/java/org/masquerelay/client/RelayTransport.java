package org.masquerelay.client;

import java.util.Locale;

/**
 * How the client reaches its (first) relay. Later relays of a chain are always reached with HTTP/3, through the
 * connect-udp tunnel of the one before.
 */
public enum RelayTransport {
    /** HTTP/3 over QUIC (UDP): classic CONNECT, connect-udp with QUIC datagrams. The default. */
    H3("h3"),
    /**
     * HTTP/2 over TLS on TCP (Apple's {@code HTTP2RelayURL}; curl's {@code --proxy-http2}): classic CONNECT (RFC 9113
     * §8.5) and extended CONNECT connect-udp with DATAGRAM capsules (RFC 8441, RFC 9297), every tunnel a stream of
     * one connection. ALPN offers h2 then http/1.1: a relay that only speaks HTTP/1.1 is used with HTTP/1.1.
     */
    H2("h2"),
    /**
     * HTTP/1.1 over TLS on TCP (curl's {@code --proxy-http1.1}): {@code CONNECT host:port} and {@code Upgrade:
     * connect-udp}, one TCP connection per tunnel.
     */
    HTTP1_1("http/1.1"),
    /**
     * As Apple's relay client: HTTP/3 first, HTTP/2 started when HTTP/3 has not connected within a head start
     * ({@link #HEAD_START_MILLIS}) or has failed; the first to connect wins and is remembered for this relay
     * ({@link #REMEMBER_MINUTES}), so the next connections skip the race.
     */
    AUTO("auto");

    /**
     * HTTP/3's head start in auto mode. Apple does not document its value; 300 ms is Happy Eyeballs' order of
     * magnitude (RFC 8305 recommends 250 ms between attempts) plus a little for QUIC's first flight over TCP's.
     */
    public static final long HEAD_START_MILLIS = 300;
    /** How long auto mode keeps using the transport that won the race, for new connections to the same relay. */
    public static final long REMEMBER_MINUTES = 5;

    private final String alpn;

    RelayTransport(String alpn) {
        this.alpn = alpn;
    }

    /** Its ALPN name (h3, h2, http/1.1), or "auto". */
    public String protocolName() {
        return alpn;
    }

    /**
     * From a name: h3, h2, http/1.1 (or http1.1), auto.
     *
     * @throws IllegalArgumentException naming the choices
     */
    public static RelayTransport parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "h3", "http3", "http/3" -> H3;
            case "h2", "http2", "http/2" -> H2;
            case "http/1.1", "http1.1", "h1", "http1" -> HTTP1_1;
            case "auto" -> AUTO;
            default -> throw new IllegalArgumentException("'" + name + "' is not a relay transport (h3, h2, http/1.1 or auto)");
        };
    }

    /**
     * What a connection to the relay uses, and why (for -v): e.g. {@code h2}, "auto: no HTTP/3 answer within the
     * 300 ms head start; HTTP/2 connected first".
     *
     * @param protocol h3, h2 or http/1.1
     */
    public record Choice(String protocol, String reason) {
        @Override
        public String toString() {
            return protocol + " (" + reason + ")";
        }
    }
}
