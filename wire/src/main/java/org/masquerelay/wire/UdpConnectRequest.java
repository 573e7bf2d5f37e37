package org.masquerelay.wire;

import java.util.Objects;

/** An extended CONNECT with :protocol connect-udp (RFC 9298 §3.4): UDP proxying to the template's target. */
public record UdpConnectRequest(Target target) implements TunnelRequest {
    public UdpConnectRequest {
        Objects.requireNonNull(target, "target");
    }
}
