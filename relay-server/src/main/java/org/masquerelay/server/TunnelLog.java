package org.masquerelay.server;

import org.masquerelay.display.Addresses;
import org.masquerelay.engine.ServerStream;
import org.masquerelay.server.log.JsonLogFormat;
import org.masquerelay.server.log.LogEvent;
import org.masquerelay.server.metrics.ConnectionMetrics;
import org.masquerelay.server.metrics.TunnelMetrics;
import org.masquerelay.server.tunnel.TunnelRecord;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.Target;
import org.masquerelay.wire.TcpConnectRequest;
import org.masquerelay.wire.TunnelRequest;
import org.masquerelay.wire.UdpConnectRequest;

import java.net.SocketAddress;
import java.util.Map;

import static java.lang.System.Logger.Level.INFO;

/**
 * Each tunnel's events, for the operator: counted in the metrics (open, connect time, bytes as they move, duration)
 * and logged, one line per event, so an operator can follow each tunnel: who, where, outcome, bytes, how it ended,
 * e.g. {@code tcp tunnel 127.0.0.1:42019 stream 4 -> example.com:443 opened via 93.184.215.14:443}. The end of every
 * tunnel is one line with the target, the address it reached, bytes each way, duration and outcome. In the JSON log
 * the same events carry these as fields ({@code event}: tunnel_opened, tunnel_refused, tunnel_closed). No request
 * header is ever logged, so no credential is.
 */
final class TunnelLog {
    private static final System.Logger LOG = System.getLogger("org.masquerelay.tunnel");

    private final String prefix;
    private final String kind;
    private final String client;
    private final long streamId;
    private final String clientCertificate;
    private final String target;
    private final ConnectionMetrics metrics;
    private final long startNanos = System.nanoTime();
    private TunnelMetrics tunnel;
    private String address;

    static TunnelLog of(ServerStream stream, TunnelRequest request) {
        return switch (request) {
            case TcpConnectRequest t -> new TunnelLog("tcp", stream, t.target());
            case UdpConnectRequest u -> new TunnelLog("udp", stream, u.target());
        };
    }

    private TunnelLog(String kind, ServerStream stream, Target target) {
        this.kind = kind;
        this.metrics = ConnectionMetrics.of(stream.connection());
        this.client = Addresses.format(stream.connection().remoteAddress());
        this.streamId = stream.streamId();
        this.target = target.authority();
        // With mutual TLS, who the client is: the subject of its verified certificate.
        this.clientCertificate = stream.connection().peerCertificate()
                .map(c -> c.getSubjectX500Principal().getName()).orElse(null);
        this.prefix = kind + " tunnel " + client + " stream " + streamId
                + (clientCertificate == null ? "" : " [" + clientCertificate + "]") + " -> " + this.target;
    }

    /** The target is reached and the 200 sent: the tunnel's record, whose bytes the metrics hear of as they move. */
    TunnelRecord opened(Object upstream) {
        tunnel = metrics.tunnelOpened(kind, System.nanoTime() - startNanos);
        address = upstream instanceof SocketAddress a ? Addresses.format(a) : String.valueOf(upstream);
        log(prefix + " opened via " + address, fields("tunnel_opened", "address", address));
        return new TunnelRecord(tunnel);
    }

    /** e.g. {@code ... refused: 403 destination_ip_prohibited (address 10.0.0.1 is private ...)} */
    void refused(Refusal refusal) {
        log(prefix + " refused: " + refusal, fields("tunnel_refused", "status", refusal.httpStatus(),
                "error", refusal.proxyError().token(), "details", refusal.details()));
    }

    void closed(TunnelRecord record) {
        tunnel.closed(record.ageNanos());
        log(prefix + " via " + address + " closed: " + record, fields("tunnel_closed", "address", address,
                "bytes_up", record.bytesUp(), "bytes_down", record.bytesDown(),
                "datagrams_dropped", record.datagramsDropped() > 0 ? record.datagramsDropped() : null,
                "duration_ms", record.ageMillis(), "outcome", record.ending()));
    }

    private Map<String, Object> fields(String event, Object... more) {
        Object[] all = new Object[12 + more.length];
        Object[] head = {"event", event, "kind", kind, "client", client, "stream", streamId,
                "client_cert", clientCertificate, "target", target};
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(more, 0, all, head.length, more.length);
        return JsonLogFormat.ordered(all);
    }

    private static void log(String line, Map<String, Object> fields) {
        LOG.log(INFO, "{0}", new Event(line, fields));
    }

    /** The line people read ({@code toString}, what the text log writes) and the fields the JSON log writes. */
    private record Event(String line, Map<String, Object> fields) implements LogEvent {
        @Override
        public String toString() {
            return line;
        }
    }
}
