package org.masquerelay.server;

import org.masquerelay.engine.H3Connection;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.engine.ServerStream;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.metrics.ConnectionMetrics;
import org.masquerelay.server.metrics.RelayMetrics;
import org.masquerelay.engine.DatagramDemux;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.ProxyError;
import org.masquerelay.wire.RequestParseException;
import org.masquerelay.wire.TcpConnectRequest;
import org.masquerelay.wire.TunnelRequest;
import org.masquerelay.wire.UdpConnectRequest;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.DEBUG;

/**
 * One client connection: routes each request stream — classic CONNECT to a TCP tunnel, connect-udp to a UDP tunnel,
 * {@code GET /.well-known/pvd} to its small answer, anything else to 404 — after authentication and the per-connection
 * tunnel limit. A failure is always an answer on that stream alone; other tunnels carry on.
 */
final class RelayConnection implements RequestHandler {
    private static final System.Logger LOG = System.getLogger(RelayConnection.class.getName());

    private final Supplier<Serving> serving;
    private final H3Connection connection;
    private final DatagramDemux demux;
    /** Per-connection limits as they were when the connection began (a reload applies to new connections). */
    private final int tunnelsPerConnection;
    private final Semaphore tunnels;
    private final InFlight inFlight;

    RelayConnection(Supplier<Serving> serving, H3Connection connection, InFlight inFlight, RelayMetrics metrics, String transport) {
        this.serving = serving;
        this.inFlight = inFlight;
        ConnectionMetrics.attach(connection, metrics, transport);
        this.connection = connection;
        RelaySettings settings = serving.get().settings();
        this.tunnelsPerConnection = settings.tunnelsPerConnection();
        this.demux = new DatagramDemux(settings.tunnel().pendingDatagrams(), metrics::datagramDropped);
        this.tunnels = new Semaphore(tunnelsPerConnection);
        connection.setDatagramReceiver(demux);
        LOG.log(DEBUG, "connection from {0}", connection.remoteAddress());
        connection.onClose(reason -> LOG.log(DEBUG, "connection from {0} ended: {1}", connection.remoteAddress(), reason));
    }

    /** A refusal before any tunnel handler runs (auth, tunnel limit), logged like the handlers' refusals. */
    private static void refuse(RelaySettings settings, ServerStream stream, TunnelRequest request, int status, String details, HttpFields.Field extra) {
        TunnelLog log = switch (request) {
            case TcpConnectRequest t -> new TunnelLog("tcp", stream, t.target());
            case UdpConnectRequest u -> new TunnelLog("udp", stream, u.target());
        };
        log.refused(status, ProxyError.HTTP_REQUEST_DENIED.token(), details);
        Responses.error(stream, settings.serverName(), status, ProxyError.HTTP_REQUEST_DENIED.token(), details, extra);
    }

    /** RFC 9110 §11.6.1 / §11.7.1: a 401 names WWW-Authenticate, a 407 Proxy-Authenticate; 403 neither. */
    private static HttpFields.Field challenge(AuthConfig auth) {
        // The scheme of the first credential ("Bearer", "Preshared"...); never the secret itself.
        String first = auth.credentials().get(0);
        String scheme = first.indexOf(' ') > 0 ? first.substring(0, first.indexOf(' ')) : "Bearer";
        return switch (auth.failureStatus()) {
            case 401 -> new HttpFields.Field("www-authenticate", scheme + " realm=\"relay\"");
            case 407 -> new HttpFields.Field("proxy-authenticate", scheme + " realm=\"relay\"");
            default -> null;
        };
    }

    /** 431 with Proxy-Status like every other refusal (RFC 9209 has no request-size error type: http_request_error). */
    @Override
    public void headerSectionTooLarge(ServerStream stream, int limit) {
        Responses.error(stream, serving.get().settings().serverName(), 431, ProxyError.HTTP_REQUEST_ERROR.token(),
                "request header section larger than " + limit + " bytes", null);
    }

    @Override
    public void handle(ServerStream stream) {
        inFlight.enter();
        try {
            serve(stream);
        } finally {
            inFlight.exit();
        }
    }

    private void serve(ServerStream stream) {
        // Read once: this request runs on the configuration current at its start, whatever a reload does meanwhile.
        Serving now = serving.get();
        RelaySettings settings = now.settings();
        HttpFields request = stream.requestHeaders();
        Optional<TunnelRequest> tunnel;
        try {
            tunnel = now.parser().parse(request);
        } catch (RequestParseException e) {
            String token = e.proxyError() == null ? ProxyError.HTTP_REQUEST_ERROR.token() : e.proxyError().token();
            Responses.error(stream, settings.serverName(), e.httpStatus(), token, e.getMessage(), null);
            return;
        }
        if (tunnel.isEmpty()) {
            WellKnown.answer(stream, request);
            return;
        }
        AuthConfig auth = settings.auth();
        if (auth != null && auth.clientCertificateRequired() && connection.peerCertificate().isEmpty()) {
            refuse(settings, stream, tunnel.get(), 403, "a verified client certificate is required", null);
            return;
        }
        if (auth != null && auth.checksCredentials()
                && request.getAll(auth.header()).stream().noneMatch(v -> auth.accepts(v.trim()))) {
            refuse(settings, stream, tunnel.get(), auth.failureStatus(), "missing or wrong credential in the '" + auth.header()
                    + "' header", challenge(auth));
            return;
        }
        if (!tunnels.tryAcquire()) {
            refuse(settings, stream, tunnel.get(), 429, "this connection already has " + tunnelsPerConnection
                    + " tunnels open", null);
            return;
        }
        try {
            switch (tunnel.get()) {
                case TcpConnectRequest t -> now.tcp().handle(stream, t.target());
                case UdpConnectRequest u -> now.udp().handle(stream, u.target(), demux);
            }
        } finally {
            tunnels.release();
        }
    }
}
