package org.masquerelay.wire;

/** A CONNECT request the relay accepted as well-formed: which kind of tunnel, to which target. */
public sealed interface TunnelRequest permits TcpConnectRequest, UdpConnectRequest {
    Target target();
}
