package org.masquerelay.tools.apple;

/**
 * The path by which Apple's client reaches its relay (apple-relay-client.md, "The HTTP/2 path"): its {@code HTTP3RelayURL} over
 * QUIC, its {@code HTTP2RelayURL} over TLS on TCP, or both as the client does when it holds both URLs: HTTP/3 first,
 * HTTP/2 once HTTP/3 has had a head start without a handshake, the first connection up wins (the race and its 250 ms
 * head start are inferred from a third-party client, not confirmed).
 */
public enum RelayPath {
    H3("HTTP/3"),
    H2("HTTP/2"),
    H3_THEN_H2("HTTP/3, then HTTP/2");

    public final String label;

    RelayPath(String label) {
        this.label = label;
    }
}
