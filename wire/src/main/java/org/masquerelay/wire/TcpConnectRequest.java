package org.masquerelay.wire;

import java.util.Objects;

/** A classic CONNECT (RFC 9114 §4.4, RFC 9110 §9.3.6): a TCP tunnel to the :authority. */
public record TcpConnectRequest(Target target) implements TunnelRequest {
    public TcpConnectRequest {
        Objects.requireNonNull(target, "target");
    }
}
