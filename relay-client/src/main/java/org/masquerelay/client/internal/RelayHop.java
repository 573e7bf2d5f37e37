package org.masquerelay.client.internal;

import org.masquerelay.client.RelayEndpoint;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTransport;
import org.masquerelay.client.RelayTrustException;
import org.masquerelay.client.RelayUnreachableException;
import org.masquerelay.client.UdpChannel;
import org.masquerelay.engine.ClientEngine;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.engine.RequestNotProcessedException;
import org.masquerelay.engine.h2.H2ClientEngine;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.Target;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertPathValidatorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;

/**
 * One relay of the chain and its (single, shared) connection: made on first use, made again when it has closed or
 * the relay sent GOAWAY (a draining relay: through a load balancer, the new connection reaches another relay; the
 * tunnels of the old connection run on until they end). A request the relay did not process (it crossed the GOAWAY)
 * is sent again once on a new connection ({@link ReplayableRequest}).
 * HTTP/3, or over TLS on TCP (HTTP/2; HTTP/1.1, one TCP connection per tunnel) as {@link RelayTransport} says, the
 * auto choice racing them ({@link TransportRace}); tunnels see the same stream interface whatever the transport. The
 * first hop is reached directly; each later hop with HTTP/3 through a connect-udp tunnel of the one before (its
 * {@link Carrier}). It writes the tunnel requests (classic CONNECT, connect-udp) the way Apple's client does;
 * {@code RelayClient} turns the opened streams into tunnels.
 */
public final class RelayHop {
    private static final System.Logger LOG = System.getLogger(RelayHop.class.getName());
    /** A live connection with what the tunnels need from it, and which transport it is (and why, for -v). */
    public record Connected(ClientConnection connection, boolean datagrams, long connectNanos, RelayTransport.Choice choice) {
        /** The same connection, with what -v says about the choice. */
        Connected because(RelayTransport.Choice why) {
            return new Connected(connection, datagrams, connectNanos, why);
        }
    }

    /** A tunnel request sent on this hop: its stream, the header section it carried, and the connection it lives on. */
    public record Opened(ClientStream stream, HttpFields request, Connected connected) {}

    /** How a later hop reaches its relay: a UDP flow through the hop before it (connect-udp with capsules). */
    @FunctionalInterface
    public interface Carrier {
        UdpChannel open() throws RelayException;
    }

    private final RelayEndpoint endpoint;
    private final RelayEndpoint previous;
    private final Carrier carrier;
    private final ClientEngine engine;
    private final ClientEngineSettings settings;
    private final VerifyingTrustManager trust;
    private final List<HttpFields.Field> extraHeaders;
    private final RelayTransport transport;
    private final TransportRace race;
    private Connected current;
    /** Connections that take no new tunnels (GOAWAY, a rejected request) while their tunnels run on; closed with us. */
    private final List<Connected> retired = new ArrayList<>();
    private int connectionsMade;
    private volatile boolean closing;

    /**
     * @param previous     the hop before, for messages; null for the first hop (then {@code carrier} is null too)
     * @param extraHeaders added to every tunnel request (Apple's additionalHTTPHeaderFields), e.g. authorization
     * @param transport    how to reach this relay; a later hop (reached through a carrier) only with HTTP/3
     */
    public RelayHop(RelayEndpoint endpoint, RelayEndpoint previous, Carrier carrier, ClientEngine engine,
                    ClientEngineSettings settings, VerifyingTrustManager trust, List<HttpFields.Field> extraHeaders,
                    RelayTransport transport) {
        this.endpoint = endpoint;
        this.previous = previous;
        this.carrier = carrier;
        this.engine = engine;
        this.settings = settings;
        this.trust = trust;
        this.extraHeaders = List.copyOf(extraHeaders);
        this.transport = carrier == null ? transport : RelayTransport.H3;
        this.race = new TransportRace(this::connectH3, () -> {
                    engine.prepare(settings);
                    H2ClientEngine.prepare(settings);
                },
                reason -> TcpTransport.connect(endpoint, settings, trust, true, reason),
                RelayTransport.HEAD_START_MILLIS, TimeUnit.MINUTES.toNanos(RelayTransport.REMEMBER_MINUTES));
    }

    public RelayEndpoint endpoint() {
        return endpoint;
    }

    /** A classic CONNECT (RFC 9114 §4.4) to the target, as Apple's client sends it for a TCP flow. */
    public Opened openConnect(Target target) throws RelayException {
        HttpFields.Builder request = HttpFields.builder()
                .add(":method", "CONNECT")
                .add(":authority", target.authority())
                .add("priority", "i"); // Apple's client always sends it: incremental delivery for tunnels
        Opened opened = open(request);
        LOG.log(DEBUG, "CONNECT {0} on stream {1}", target.authority(), opened.stream().streamId());
        return opened;
    }

    /** A connect-udp request (RFC 9298) for the target, on this relay's template. */
    public Opened openConnectUdp(Target target) throws RelayException {
        HttpFields.Builder request = HttpFields.builder()
                .add(":method", "CONNECT")
                .add(":protocol", "connect-udp")
                .add(":scheme", "https")
                .add(":authority", endpoint.authority())
                .add(":path", endpoint.udpPath(target.host(), target.port()))
                .add("capsule-protocol", "?1")
                .add("priority", "i");
        Opened opened = open(request);
        LOG.log(DEBUG, "connect-udp {0} on stream {1}", target.authority(), opened.stream().streamId());
        return opened;
    }

    private Opened open(HttpFields.Builder request) throws RelayException {
        extraHeaders.forEach(f -> request.add(f.name(), f.value()));
        return openRequest(request.build());
    }

    /**
     * The connection new tunnels go on: the current one while it is open and the relay has not sent GOAWAY, else a
     * new one (connecting, and for later hops opening the carrier tunnel).
     */
    public synchronized Connected connection() throws RelayException {
        if (current != null && current.connection().acceptsNewStreams()) {
            return current;
        }
        retire(current);
        current = connect();
        connectionsMade++;
        watch(current.connection());
        return current;
    }

    /** -v says when the relay sends GOAWAY or the connection ends: new tunnels then go to a new connection. */
    private void watch(ClientConnection connection) {
        String via = previous == null ? "" : " via " + previous;
        connection.onGoAway(id -> LOG.log(INFO, "relay sent GOAWAY; new tunnels go to a new connection ({0}{1};"
                + " tunnels below stream {2} run on)", endpoint.authority(), via, Long.toString(id)));
        connection.onClose(why -> {
            if (!closing) {
                LOG.log(INFO, "connection to the relay {0}{1} ended ({2}); new tunnels go to a new connection",
                        endpoint.authority(), via, why);
            }
        });
    }

    /** No new tunnel goes on {@code c} any more; its open tunnels run on, and it is closed with the hop. */
    private synchronized void retire(Connected c) {
        retired.removeIf(r -> !r.connection().isOpen());
        if (c == null) {
            return;
        }
        if (c == current) {
            current = null;
        }
        if (c.connection().isOpen() && !retired.contains(c)) {
            retired.add(c);
        }
    }

    /** An ack-eliciting frame the relay ignores on the current connection, if there is one (see HttpConnection#keepAlive). */
    public synchronized void keepAlive() {
        if (current != null) {
            current.connection().keepAlive();
        }
    }

    public synchronized int connectionsMade() {
        return connectionsMade;
    }

    /**
     * Opens a request stream, on a new connection once if the current one turned out to be gone or going away (GOAWAY
     * arrived meanwhile). A connection that is still open is never dropped for one failed stream: its other tunnels
     * live on it.
     */
    private Opened openRequest(HttpFields request) throws RelayException {
        Connected c = connection();
        try {
            return opened(c, request);
        } catch (IOException first) {
            if (c.connection().isOpen() && !(first instanceof RequestNotProcessedException)) {
                throw new RelayException("cannot open a request stream to " + endpoint + ": " + first.getMessage(), first);
            }
            retire(c);
            try {
                return opened(connection(), request);
            } catch (IOException e) {
                throw new RelayException("cannot open a request stream to " + endpoint + ": " + e.getMessage(), e);
            }
        }
    }

    private Opened opened(Connected c, HttpFields request) throws IOException {
        ClientStream stream = c.connection().openRequest(request);
        String what = request.getOrNull(":method") + " " + request.getOrNull(":authority")
                + (request.getOrNull(":path") == null ? "" : request.getOrNull(":path"));
        // A relay that did not process the request (it crossed the GOAWAY): once more on a fresh connection.
        return new Opened(new ReplayableRequest(stream, what, why -> {
            retire(c);
            return connection().connection().openRequest(request);
        }), request, c);
    }

    public void close() {
        closing = true;
        List<Connected> all = new ArrayList<>();
        synchronized (this) {
            if (current != null) {
                all.add(current);
                current = null;
            }
            all.addAll(retired);
            retired.clear();
        }
        all.forEach(c -> c.connection().close(H3.H3_NO_ERROR, "client closed"));
    }

    /** A new connection over the chosen transport (auto: the race). */
    private Connected connect() throws RelayException {
        return switch (transport) {
            case H3 -> connectH3(previous == null ? "asked for" : "a later hop, through the connect-udp tunnel of " + previous);
            case H2 -> TcpTransport.connect(endpoint, settings, trust, true, "asked for");
            case HTTP1_1 -> TcpTransport.connect(endpoint, settings, trust, false, "asked for");
            case AUTO -> race.connect();
        };
    }

    private Connected connectH3(String reason) throws RelayException {
        long start = System.nanoTime();
        trust.clear();
        ProbedDatagramSocket probe = null;
        InetSocketAddress probeTarget = null;
        UdpChannel carried = null;
        DatagramSocket socket;
        String via = previous == null ? "" : " via " + previous;
        try {
            if (previous == null && engine.prefersOwnSocket()) {
                // The engine opens its own socket (quiche): no ICMP probe, a silent port is a handshake timeout.
                socket = null;
            } else if (previous == null) {
                InetAddress address = InetAddress.getByName(endpoint.host());
                probeTarget = new InetSocketAddress(address, endpoint.port());
                socket = probe = new ProbedDatagramSocket(probeTarget);
            } else {
                // QUIC packets from the engine are ~1252 bytes: more than a QUIC DATAGRAM inside another QUIC
                // connection can hold (~1233), so the carrier uses DATAGRAM capsules.
                carried = carrier.open();
                socket = new TunnelDatagramSocket(carried);
            }
        } catch (UnknownHostException e) {
            throw new RelayUnreachableException(RelayUnreachableException.Reason.NAME_NOT_RESOLVED,
                    "cannot resolve the relay host '" + endpoint.host() + "'", e);
        } catch (SocketException e) {
            throw new RelayUnreachableException("cannot open a UDP socket towards " + endpoint + ": " + e.getMessage(), e);
        } catch (RelayException e) {
            throw e;
        }
        DatagramSocket chosen = socket;
        ProbedDatagramSocket[] latest = {probe};
        ClientEngineSettings attempt;
        if (probe != null) {
            // Our own socket for the first hop: a handshake that stalls may be tried again on a new one (Kwik's stall,
            // KwikClientEngine), the abandoned one closed.
            java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
            InetSocketAddress to = probeTarget;
            attempt = settings.newBuilder().freshSocketEachCall(true).socketSupplier(() -> {
                if (first.getAndSet(false)) {
                    return chosen;
                }
                latest[0].close();
                try {
                    latest[0] = new ProbedDatagramSocket(to);
                } catch (SocketException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return latest[0];
            }).build();
        } else {
            attempt = chosen == null ? settings : settings.newBuilder().socketSupplier(() -> chosen).build();
        }
        ClientConnection connection;
        try {
            connection = engine.connect(attempt);
        } catch (IOException | RuntimeException e) {
            if (socket != null) {
                socket.close();
            }
            if (latest[0] != null) {
                latest[0].close();
            }
            throw classify(e, latest[0], carried, via);
        }
        // Wait (briefly) for the relay's SETTINGS: they decide whether HTTP Datagrams may be used.
        connection.peerSettings(Math.min(2000, settings.connectTimeout().toMillis()));
        // Datagrams that overtake their response are held by the engine until the tunnel asks for its stream's.
        Connected c = new Connected(connection, connection.datagramsEnabled(), System.nanoTime() - start,
                new RelayTransport.Choice("h3", reason));
        LOG.log(DEBUG, "connected to {0}{1} in {2} ms, HTTP datagrams: {3}", endpoint, via, c.connectNanos() / 1_000_000, c.datagrams());
        return c;
    }

    /** Turns the engine's connect failure into the typed exception a caller (and an exit code) can act on. */
    private RelayException classify(Throwable e, ProbedDatagramSocket probe, UdpChannel carried, String via) {
        String where = endpoint + via;
        if (probe != null && probe.portUnreachable()) {
            return new RelayUnreachableException("nothing listens on UDP " + endpoint.authority()
                    + " (ICMP port unreachable): is the relay running, on that port?", e);
        }
        if (carried != null) {
            // If the previous hop refused or lost the carrier tunnel, that is the real reason; its answer may still
            // be on its way when the engine gives up, so wait for it (bounded by the request timeout).
            try {
                carried.awaitEstablished();
            } catch (RelayException refused) {
                return refused;
            } catch (IOException ignored) {
                // closed: no verdict from the previous hop
            }
        }
        if (trust.lastProblem() != null) {
            return new RelayTrustException(true, "TLS trust failure with the relay " + where + ": " + trust.lastProblem(), e);
        }
        String certificateProblem = certificateProblem(e);
        if (certificateProblem != null) {
            // Our verifier saw nothing wrong: the relay ended the handshake (e.g. it wants a client certificate).
            return new RelayTrustException(false, "TLS handshake with the relay " + where + " failed: " + certificateProblem, e);
        }
        if (hasCause(e, UnknownHostException.class)) {
            return new RelayUnreachableException(RelayUnreachableException.Reason.NAME_NOT_RESOLVED,
                    "cannot resolve the relay host '" + endpoint.host() + "'", e);
        }
        String message = innermostMessage(e);
        String lower = message.toLowerCase(Locale.ROOT);
        // Kwik says "timed out", the quiche engine "no QUIC handshake within N ms": both mean nothing answered.
        if (hasCause(e, SocketTimeoutException.class) || lower.contains("timed out") || lower.contains("timeout")
                || lower.contains("handshake within")) {
            return new RelayUnreachableException(RelayUnreachableException.Reason.NO_ANSWER, "no QUIC answer from "
                    + where + " within " + settings.connectTimeout().toMillis() + " ms (" + message + ")", e);
        }
        return new RelayUnreachableException("cannot connect to the relay " + where + ": " + message, e);
    }

    /** The certificate-related message in the cause chain, if the failure is about trust. */
    static String certificateProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage();
            String lower = m.toLowerCase(Locale.ROOT);
            if (t instanceof CertificateException || t instanceof CertPathValidatorException || t instanceof SSLException
                    || t.getClass().getName().toLowerCase(Locale.ROOT).contains("certificate")
                    || lower.contains("certificate") || lower.contains("certification path") || lower.contains("bad_certificate")) {
                String inner = innermostMessage(t);
                return inner.isEmpty() ? t.getClass().getSimpleName() : inner;
            }
        }
        return null;
    }

    static String innermostMessage(Throwable e) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
