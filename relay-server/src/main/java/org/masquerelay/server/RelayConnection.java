package org.masquerelay.server;

import org.masquerelay.engine.HttpConnection;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.engine.ServerStream;
import org.masquerelay.engine.TokenBucket;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;

/**
 * One client connection: routes each request stream — classic CONNECT to a TCP tunnel, connect-udp to a UDP tunnel,
 * {@code GET /.well-known/pvd} to its small answer, anything else to 404 — after authentication and the per-connection
 * tunnel limit. A failure is always an answer on that stream alone; other tunnels carry on.
 */
final class RelayConnection implements RequestHandler {
    private static final System.Logger LOG = System.getLogger(RelayConnection.class.getName());

    private final Supplier<Serving> serving;
    private final HttpConnection connection;
    /** Per-connection limits as they were when the connection began (a reload applies to new connections). */
    private final int tunnelsPerConnection;
    private final Semaphore tunnels;
    private final InFlight inFlight;
    private final TunnelLimit relayTunnels;
    /** New tunnels per second, at the rate in force when the connection began. */
    private final TokenBucket newTunnels;
    private final int newTunnelsPerSecond;
    private final CountDownLatch closed = new CountDownLatch(1);

    /**
     * @param serving      what requests are served with now; read once per request (a reload swaps it)
     * @param inFlight     where every request in progress is counted, for a drain to wait on
     * @param relayTunnels the relay-wide tunnel limit, shared by every connection of every listener
     * @param transport    h3 (or h2): the metrics' label for this connection's listener
     */
    RelayConnection(Supplier<Serving> serving, HttpConnection connection, InFlight inFlight, TunnelLimit relayTunnels,
                    RelayMetrics metrics, String transport) {
        this.serving = serving;
        this.connection = connection;
        this.inFlight = inFlight;
        this.relayTunnels = relayTunnels;
        ConnectionMetrics.attach(connection, metrics, transport);
        RelaySettings settings = serving.get().settings();
        this.tunnelsPerConnection = settings.tunnelsPerConnection();
        this.tunnels = new Semaphore(tunnelsPerConnection);
        this.newTunnelsPerSecond = settings.clientLimits().newTunnelsPerSecond();
        this.newTunnels = new TokenBucket(newTunnelsPerSecond, 2 * newTunnelsPerSecond);
        LOG.log(DEBUG, "connection from {0}", connection.remoteAddress());
        connection.onClose(reason -> {
            LOG.log(DEBUG, "connection from {0} ended: {1}", connection.remoteAddress(), reason);
            closed.countDown();
        });
        TunnelKeepAlive.start(connection, settings.engineSettings().idleTimeout(),
                () -> tunnelsPerConnection - tunnels.availablePermits());
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
     * Refused before its header section was read: 408 when it did not arrive in time (http_request_error), 429/503
     * when this connection or the relay holds too many unfinished requests (connection_limit_reached).
     */
    @Override
    public void requestRefused(ServerStream stream, int status, String reason) {
        Refusal refusal = new Refusal(status, status == 408 ? ProxyError.HTTP_REQUEST_ERROR
                : ProxyError.CONNECTION_LIMIT_REACHED, reason);
        LOG.log(status == 408 ? DEBUG : INFO, "{0}: refused {1}", connection.remoteAddress(), refusal);
        Responses.refuse(stream, serving.get().settings().serverName(), refusal);
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
            // Capacity refusals are connection_limit_reached (RFC 9209 §2.3.12): 429 when this client is over its
            // share, 503 when the relay as a whole is full.
            if (!newTunnels.tryTake()) {
                throw new Refusal(429, ProxyError.CONNECTION_LIMIT_REACHED, "this connection opens tunnels faster than "
                        + newTunnelsPerSecond + " a second");
            }
            if (!tunnels.tryAcquire()) {
                throw new Refusal(429, ProxyError.CONNECTION_LIMIT_REACHED, "this connection already has "
                        + tunnelsPerConnection + " tunnels open");
            }
            try {
                if (!relayTunnels.tryAcquire()) {
                    throw new Refusal(503, ProxyError.CONNECTION_LIMIT_REACHED, "the relay already has "
                            + relayTunnels.max() + " tunnels open; try again later");
                }
                try {
                    PendingTunnel pending = switch (tunnel) {
                        case TcpConnectRequest t -> now.tcp().connect(stream, t.target());
                        case UdpConnectRequest u -> now.udp().connect(stream, u.target());
                    };
                    run(stream, pending, log);
                } finally {
                    relayTunnels.release();
                }
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
    private void run(ServerStream stream, PendingTunnel tunnel, TunnelLog log) {
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
        logEnd(record, log);
    }

    /**
     * A tunnel whose stream failed because the client's connection ended says so, with the connection's reason (an
     * idle timeout, the client's close): the splice alone sees only a reset stream or a failed write ("client ended
     * the stream", "target reset: write failed"). The engines end the streams and report the connection's end in
     * either order, so the line of a failed tunnel waits a moment for the connection's verdict — on a thread of its
     * own: the tunnel's place is given back at once.
     */
    private void logEnd(TunnelRecord record, TunnelLog log) {
        String ending = record.ending();
        boolean failed = ending.contains("ended the stream") || ending.contains("reset") || ending.contains("failed");
        if (!failed || !connection.isOpen()) {
            connection.closeReason().ifPresent(record::connectionEnded);
            log.closed(record);
            return;
        }
        Thread.ofVirtual().name("tunnel-end-log").start(() -> {
            try {
                closed.await(CLOSE_VERDICT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            connection.closeReason().ifPresent(record::connectionEnded);
            log.closed(record);
        });
    }

    /** How long a failed tunnel waits to learn whether its connection ended (a loopback close takes microseconds). */
    private static final long CLOSE_VERDICT_MILLIS = 250;
}
