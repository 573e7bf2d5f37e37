package org.masquerelay.server;

import org.masquerelay.engine.ServerStream;
import org.masquerelay.engine.DatagramDemux;
import org.masquerelay.server.tunnel.TargetResolver;
import org.masquerelay.server.tunnel.TunnelException;
import org.masquerelay.server.tunnel.TunnelRecord;
import org.masquerelay.server.tunnel.TunnelSettings;
import org.masquerelay.server.tunnel.UdpTunnel;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.ProxyError;
import org.masquerelay.wire.Target;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * connect-udp (RFC 9298): policy and DNS, a UDP socket connected to the first permitted address, 200 with
 * {@code capsule-protocol: ?1}, then payload forwarding. Datagrams that overtook the request are held by the
 * connection's {@link DatagramDemux} until the tunnel starts.
 */
final class UdpConnectHandler {
    private final String serverName;
    private final TargetResolver resolver;
    private final TunnelSettings settings;

    UdpConnectHandler(String serverName, TargetResolver resolver, TunnelSettings settings) {
        this.serverName = serverName;
        this.resolver = resolver;
        this.settings = settings;
    }

    void handle(ServerStream stream, Target target, DatagramDemux demux) {
        TunnelLog log = new TunnelLog("udp", stream, target);
        DatagramSocket socket;
        try {
            InetAddress address = resolver.resolve(target, settings.connectTimeout()).get(0);
            socket = open(new InetSocketAddress(address, target.port()));
        } catch (TunnelException e) {
            log.refused(e.httpStatus(), e.proxyError(), e.getMessage());
            Responses.error(stream, serverName, e.httpStatus(), e.proxyError(), e.getMessage(), null);
            return;
        }
        try {
            Responses.udpTunnelEstablished(stream);
        } catch (IOException e) {
            socket.close();
            stream.reset(H3.H3_REQUEST_CANCELLED);
            return;
        }
        TunnelRecord record = log.opened(socket.getRemoteSocketAddress());
        new UdpTunnel(stream, socket, demux, settings.idleTimeout(), record).run();
        log.closed(record);
    }

    private static DatagramSocket open(InetSocketAddress target) throws TunnelException {
        try {
            DatagramSocket socket = new DatagramSocket();
            // Connected: the kernel then drops datagrams from any other source (RFC 9298 §5).
            socket.connect(target);
            return socket;
        } catch (SocketException e) {
            throw new TunnelException(502, ProxyError.DESTINATION_IP_UNROUTABLE, "cannot open UDP to " + target + ": " + e.getMessage());
        }
    }
}
