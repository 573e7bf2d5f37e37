package org.masquerelay.interop.matrix;

/**
 * What a client peer speaks to the relay: HTTP/3 over QUIC (the relay's UDP listener), or HTTP/2 or HTTP/1.1 over TLS
 * on TCP (its TCP listener, Apple's {@code HTTP2RelayURL}). A case means the same thing over each where it applies
 * ({@link Case#notApplicable}); the report names each row's transport.
 */
public enum Transport {
    H3("HTTP/3"),
    H2("HTTP/2"),
    H1("HTTP/1.1");

    public final String label;

    Transport(String label) {
        this.label = label;
    }

    /** Over TLS on TCP: the relay's TCP listener. */
    public boolean overTcp() {
        return this != H3;
    }
}
