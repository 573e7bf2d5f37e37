package org.masquerelay.server;

import org.masquerelay.display.Addresses;
import org.masquerelay.engine.ServerStream;
import org.masquerelay.server.tunnel.TunnelRecord;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.Target;
import org.masquerelay.wire.TcpConnectRequest;
import org.masquerelay.wire.TunnelRequest;
import org.masquerelay.wire.UdpConnectRequest;

import java.net.SocketAddress;

import static java.lang.System.Logger.Level.INFO;

/**
 * One line per tunnel event, so an operator can follow each tunnel: who, where, outcome, bytes, how it ended, e.g.
 * {@code tcp tunnel 127.0.0.1:42019 stream 4 -> example.com:443 opened via 93.184.215.14:443}.
 */
final class TunnelLog {
    private static final System.Logger LOG = System.getLogger("org.masquerelay.tunnel");

    private final String prefix;

    static TunnelLog of(ServerStream stream, TunnelRequest request) {
        return switch (request) {
            case TcpConnectRequest t -> new TunnelLog("tcp", stream, t.target());
            case UdpConnectRequest u -> new TunnelLog("udp", stream, u.target());
        };
    }

    private TunnelLog(String kind, ServerStream stream, Target target) {
        // With mutual TLS, who the client is: the subject of its verified certificate.
        String client = stream.connection().peerCertificate()
                .map(c -> " [" + c.getSubjectX500Principal().getName() + "]").orElse("");
        this.prefix = kind + " tunnel " + Addresses.format(stream.connection().remoteAddress()) + " stream "
                + stream.streamId() + client + " -> " + target.authority();
    }

    void opened(Object upstream) {
        LOG.log(INFO, "{0} opened via {1}", prefix, upstream instanceof SocketAddress a ? Addresses.format(a) : upstream);
    }

    /** e.g. {@code ... refused: 403 destination_ip_prohibited (address 10.0.0.1 is private ...)} */
    void refused(Refusal refusal) {
        LOG.log(INFO, "{0} refused: {1}", prefix, refusal);
    }

    void closed(TunnelRecord record) {
        LOG.log(INFO, "{0} closed: {1}", prefix, record);
    }
}
