package org.masquerelay.server;

import org.masquerelay.engine.H3Connection;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.engine.ServerStream;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.metrics.ConnectionMetrics;
import org.masquerelay.server.metrics.RelayMetrics;
import org.masquerelay.server.tunnel.TunnelRecord;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.ProxyError;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.TcpConnectRequest;
import org.masquerelay.wire.TunnelRequest;
import org.masquerelay.wire.UdpConnectRequest;

import java.io.IOException;
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
    /** Per-connection limits as they were when the connection began (a reload applies to new connections). */
    private final int tunnelsPerConnection;
    private final Semaphore tunnels;
    private final InFlight inFlight;

    /**
     * @param serving   what requests are served with now; read once per request (a reload swaps it)
     * @param inFlight  where every request in progress is counted, for a drain to wait on
     * @param transport h3 (or h2): the metrics' label for this connection's listener
     */
    RelayConnection(Supplier<Serving> serving, H3Connection connection, InFlight inFlight, RelayMetrics metrics, String transport) {
        this.serving = serving;
        this.connection = connection;
        this.inFlight = inFlight;
        ConnectionMetrics.attach(connection, metrics, transport);
        this.tunnelsPerConnection = serving.get().settings().tunnelsPerConnection();
        this.tunnels = new Semaphore(tunnelsPerConnection);
        LOG.log(DEBUG, "connection from {0}", connection.remoteAddress());
        connection.onClose(reason -> LOG.log(DEBUG, "connection from {0} ended: {1}", connection.remoteAddress(), reason));
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
        Responses.refuse(stream, serving.get().settings().serverName(), new Refusal(431, ProxyError.HTTP_REQUEST_ERROR,
                "request header section larger than " + limit + " bytes"));
    }

    /**
     * Parse → authenticate → count → resolve and connect → 200 → log → run. Every refusal on the way, whoever finds
     * it, is answered here, the one place that does.
     */
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
        TunnelLog log = null;
        try {
            Optional<TunnelRequest> parsed = now.parser().parse(request);
            if (parsed.isEmpty()) {
                WellKnown.answer(stream, request);
                return;
            }
            TunnelRequest tunnel = parsed.get();
            log = TunnelLog.of(stream, tunnel);
            authenticate(settings.auth(), request);
            if (!tunnels.tryAcquire()) {
                throw new Refusal(429, ProxyError.HTTP_REQUEST_DENIED, "this connection already has "
                        + tunnelsPerConnection + " tunnels open");
            }
            try {
                PendingTunnel pending = switch (tunnel) {
                    case TcpConnectRequest t -> now.tcp().connect(stream, t.target());
                    case UdpConnectRequest u -> now.udp().connect(stream, u.target());
                };
                run(stream, pending, log);
            } finally {
                tunnels.release();
            }
        } catch (Refusal refusal) {
            if (log != null) {
                log.refused(refusal);
            }
            Responses.refuse(stream, settings.serverName(), refusal);
        }
    }

    private void authenticate(AuthConfig auth, HttpFields request) throws Refusal {
        if (auth == null) {
            return;
        }
        if (auth.clientCertificateRequired() && connection.peerCertificate().isEmpty()) {
            throw new Refusal(403, ProxyError.HTTP_REQUEST_DENIED, "a verified client certificate is required");
        }
        if (auth.checksCredentials() && request.getAll(auth.header()).stream().noneMatch(v -> auth.accepts(v.trim()))) {
            Refusal refusal = new Refusal(auth.failureStatus(), ProxyError.HTTP_REQUEST_DENIED,
                    "missing or wrong credential in the '" + auth.header() + "' header");
            HttpFields.Field challenge = challenge(auth);
            throw challenge == null ? refusal : refusal.withChallenge(challenge);
        }
    }

    /** The target is connected: confirm the tunnel to the client, then carry its bytes until either side ends it. */
    private static void run(ServerStream stream, PendingTunnel tunnel, TunnelLog log) {
        try {
            stream.respond(tunnel.response());
        } catch (IOException e) {
            // The client gave up (cancelled the stream) while we were connecting.
            tunnel.abandon();
            stream.reset(H3.H3_REQUEST_CANCELLED);
            return;
        }
        TunnelRecord record = log.opened(tunnel.upstream());
        tunnel.run(record);
        log.closed(record);
    }
}
