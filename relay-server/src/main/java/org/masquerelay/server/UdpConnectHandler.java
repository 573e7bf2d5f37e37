package org.masquerelay.server;

import org.masquerelay.engine.ServerStream;
import org.masquerelay.server.tunnel.TargetResolver;
import org.masquerelay.server.tunnel.TunnelRecord;
import org.masquerelay.server.tunnel.TunnelSettings;
import org.masquerelay.server.tunnel.UdpTunnel;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.ProxyError;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.Target;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.masquerelay.server.tunnel.ResourceExhaustion;

/**
 * connect-udp (RFC 9298): policy and DNS, a UDP socket connected to the first permitted address; once
 * {@link RelayConnection} has sent the 200 with {@code capsule-protocol: ?1}, payload forwarding. Datagrams that
 * overtook the request are held by the engine until the tunnel asks for its stream's datagrams.
 */
final class UdpConnectHandler {
    /** 2xx for connect-udp, with the capsule protocol (RFC 9298 §3.5, RFC 9297 §3.4). */
    private static final HttpFields ESTABLISHED = HttpFields.builder()
            .add(":status", "200").add("capsule-protocol", "?1").build();

    private final TargetResolver resolver;
    private final TunnelSettings settings;

    UdpConnectHandler(TargetResolver resolver, TunnelSettings settings) {
        this.resolver = resolver;
        this.settings = settings;
    }

    PendingTunnel connect(ServerStream stream, Target target) throws Refusal {
        InetAddress address = resolver.resolve(target, settings.connectTimeout()).get(0);
        DatagramSocket socket = open(new InetSocketAddress(address, target.port()));
        return new PendingTunnel(ESTABLISHED, socket.getRemoteSocketAddress(),
                record -> new UdpTunnel(stream, socket, settings.idleTimeout(), record).run(), socket::close);
    }

    private static DatagramSocket open(InetSocketAddress target) throws Refusal {
        try {
            DatagramSocket socket = new DatagramSocket();
            // Connected: the kernel then drops datagrams from any other source (RFC 9298 §5).
            socket.connect(target);
            return socket;
        } catch (SocketException e) {
            var exhausted = ResourceExhaustion.of(e);
            if (exhausted.isPresent()) {
                throw exhausted.get();
            }
            throw new Refusal(502, ProxyError.DESTINATION_IP_UNROUTABLE, "cannot open UDP to " + target + ": " + e.getMessage());
        }
    }
}
