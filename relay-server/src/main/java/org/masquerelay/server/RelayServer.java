package org.masquerelay.server;

import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ServerEngine;
import org.masquerelay.engine.ClientAdmission;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.HttpConnection;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.engine.UnfinishedRequests;
import org.masquerelay.engine.h2.H2ServerEngine;
import org.masquerelay.engine.h2.ListenerOptions;
import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.server.metrics.RelayMetrics;
import org.masquerelay.engine.kwik.KwikServerEngine;
import org.masquerelay.engine.quiche.QuicheServerEngine;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.server.tunnel.ResourceExhaustion;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;
import org.masquerelay.server.config.Durations;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The relay: one HTTP/3 listener per configured address and one TLS-over-TCP listener (HTTP/2, HTTP/1.1) per TCP
 * address, all sharing the policy and handlers: a request is routed and answered the same way whatever carried it.
 * It serves until {@link #drain} (graceful: no new connections, GOAWAY, open tunnels run on to a deadline) or
 * {@link #close}.
 */
public final class RelayServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RelayServer.class.getName());

    private final List<ServerEngine> listeners;
    private final List<ServerEngine> tcpListeners;
    private final InFlight inFlight;
    private final AtomicReference<Serving> serving;
    private final AtomicBoolean draining = new AtomicBoolean();
    /** How long a drain whose tunnels all ended waits for clients to close their connections (within its deadline). */
    static final Duration DRAIN_LINGER = Duration.ofSeconds(2);
    private final AtomicBoolean closed = new AtomicBoolean();

    private RelayServer(List<ServerEngine> listeners, List<ServerEngine> tcpListeners, InFlight inFlight,
                        AtomicReference<Serving> serving) {
        this.listeners = listeners;
        this.tcpListeners = tcpListeners;
        this.inFlight = inFlight;
        this.serving = serving;
    }

    /** What a drain found and did, for the log and the caller. */
    public record DrainReport(int connectionsTold, int tunnelsAtStart, int tunnelsCut, Duration took) {}

    public static RelayServer start(RelaySettings settings) throws IOException {
        return start(settings, new RelayMetrics());
    }

    /** Counting into {@code metrics} (the admin listener's, started before the relay so it can say "not ready"). */
    public static RelayServer start(RelaySettings settings, RelayMetrics metrics) throws IOException {
        AtomicReference<Serving> serving = new AtomicReference<>(Serving.of(settings));
        ResourceBudget budget = ResourceBudget.of(settings.clientLimits(), settings.engineSettings().maxFieldSectionSize());
        LOG.log(INFO, "limits: {0}", budget.describe());
        if (budget.tunnelsExceedFiles()) {
            LOG.log(WARNING, "limits.max-tunnels {0} is more than the open-file limit allows ({1} with {2} reserved):"
                    + " raise the limit (ulimit -n, LimitNOFILE=) or lower max-tunnels", budget.maxTunnels(),
                    budget.openFiles(), budget.reservedFiles());
        }
        TunnelLimit relayTunnels = new TunnelLimit(budget.maxTunnels());
        preloadExhaustionAnswer();
        UnfinishedRequests unfinished = new UnfinishedRequests(settings.clientLimits().requestHeaderTimeout(),
                settings.clientLimits().unfinishedRequestsPerConnection(), budget.unfinishedRequests());
        ClientLimits limits = settings.clientLimits();
        EngineSettings engineSettings = settings.engineSettings().newBuilder().unfinishedRequests(unfinished)
                .clientAdmission(new ClientAdmission(limits.connectionsPerAddress(), limits.newConnectionsPerSecond()))
                .retryAboveHandshakes(limits.retryAboveHandshakes())
                .build();
        QuicEngine engine = settings.engine().resolve();
        LOG.log(INFO, "QUIC engine: {0} ({1})", engine.configName(), settings.engine().choiceReason());
        metrics.build(org.masquerelay.display.Version.number(), engine.configName());
        List<ServerEngine> listeners = new ArrayList<>();
        List<ServerEngine> tcpListeners = new ArrayList<>();
        InFlight inFlight = new InFlight();
        // The relay-wide limits (tunnels, client admission, unfinished requests) are counted across both transports.
        ConnectionHandler handler = connections(serving, inFlight, relayTunnels, metrics, "h3");
        ConnectionHandler tcpHandler = connections(serving, inFlight, relayTunnels, metrics, "h2");
        try {
            for (InetSocketAddress address : settings.listen()) {
                ServerEngine listener = Listeners.bind(address, () -> switch (engine) {
                    case KWIK -> KwikServerEngine.start(address, engineSettings, handler);
                    case QUICHE, AUTO -> QuicheServerEngine.start(address, engineSettings, handler);
                });
                listeners.add(listener);
                LOG.log(INFO, "listening on {0} (HTTP/3, UDP, {1} engine)", listener.localAddress(), engine.configName());
            }
            int h3Port = listeners.isEmpty() ? 0 : listeners.get(0).localAddress().getPort();
            ListenerOptions options = new ListenerOptions(settings.serverName(), h3Port);
            for (InetSocketAddress configured : settings.tcpListen()) {
                InetSocketAddress address = samePortAsHttp3(configured, settings.listen(), listeners);
                ServerEngine listener;
                try {
                    listener = Listeners.bind(address, "TCP",
                            () -> H2ServerEngine.start(address, engineSettings, options, tcpHandler));
                } catch (java.net.BindException e) {
                    if (configured.getPort() != 0 || address.getPort() == 0) {
                        throw e;
                    }
                    // "Any free port" was asked for: HTTP/3's number is taken on TCP, so another one will do.
                    listener = Listeners.bind(configured, "TCP",
                            () -> H2ServerEngine.start(configured, engineSettings, options, tcpHandler));
                }
                tcpListeners.add(listener);
                LOG.log(INFO, "listening on {0} (HTTP/2 and HTTP/1.1, TLS over TCP)", listener.localAddress());
            }
        } catch (IOException | RuntimeException e) {
            listeners.forEach(ServerEngine::close);
            tcpListeners.forEach(ServerEngine::close);
            throw e;
        }
        return new RelayServer(listeners, tcpListeners, inFlight, serving);
    }

    /** The settings new tunnels and connections get now (the last reloaded). */
    public RelaySettings settings() {
        return serving.get().settings();
    }

    /**
     * Serves new tunnels and connections with {@code next} from now on; open ones keep what they started with.
     * What only a restart can change (listen addresses, engine, engine limits) is not taken from {@code next}: the
     * caller says so. A new TLS identity goes to every listener whose engine can take one live.
     *
     * @return the listeners that could not take the new identity (empty when it did not change or all took it)
     */
    public List<ServerEngine> reload(RelaySettings next, boolean identityChanged) {
        serving.set(Serving.of(next));
        List<ServerEngine> kept = new ArrayList<>();
        if (identityChanged) {
            for (ServerEngine listener : allListeners()) {
                try {
                    if (!listener.replaceIdentity(next.engineSettings().keyStore(), next.engineSettings().keyAlias(),
                            next.engineSettings().keyPassword())) {
                        kept.add(listener);
                    }
                } catch (IOException e) {
                    LOG.log(WARNING, "{0}: the new certificate was not taken: {1}", listener.localAddress(), e.getMessage());
                    kept.add(listener);
                }
            }
        }
        return kept;
    }

    /**
     * The handler every listener of one transport ("h3"; "h2" for an HTTP/2 listener) gives its connections: they
     * serve with the current {@link Serving}, count their requests for a drain, and count into the metrics under
     * that transport.
     */
    private static ConnectionHandler connections(AtomicReference<Serving> serving, InFlight inFlight,
                                                 TunnelLimit relayTunnels, RelayMetrics metrics, String transport) {
        return new ConnectionHandler() {
            @Override
            public RequestHandler connected(HttpConnection connection) {
                return new RelayConnection(serving::get, connection, inFlight, relayTunnels, metrics, transport);
            }

            @Override
            public void handshakeFailed(String reason) {
                metrics.handshakeFailed(transport, reason);
            }
        };
    }

    /** Serving: every listener is up and no drain or close has begun (what {@code /readyz} answers). */
    public boolean ready() {
        return !draining.get() && !closed.get();
    }

    /** Requests being served now (each open tunnel is one). */
    public int openTunnels() {
        return inFlight.count();
    }

    /** Client connections open now, on every listener. */
    public int openConnections() {
        return allListeners().stream().mapToInt(ServerEngine::openConnections).sum();
    }

    /** HTTP/3's listeners and then the TLS-over-TCP ones. */
    private List<ServerEngine> allListeners() {
        List<ServerEngine> all = new ArrayList<>(listeners);
        all.addAll(tcpListeners);
        return all;
    }

    /**
     * Takes the relay out of service without cutting a tunnel that ends in time: new connections are refused at
     * once, every connection gets GOAWAY (clients open new tunnels elsewhere), open tunnels run on until they end or
     * {@code timeout} passes, and then everything is closed (what is still open is reset, each connection closed
     * with H3_NO_ERROR). Blocks until done; interrupting it skips the rest of the wait. Logged with counts.
     */
    public DrainReport drain(Duration timeout) {
        long start = System.nanoTime();
        if (!draining.compareAndSet(false, true)) {
            throw new IllegalStateException("already draining");
        }
        int connections = openConnections();
        int told = 0;
        for (ServerEngine listener : allListeners()) {
            told += listener.drain();
        }
        int tunnels = inFlight.count();
        LOG.log(INFO, "draining: new connections refused, GOAWAY sent on {0} of {1} connection{2}; waiting up to {3} for {4} open tunnel{5}",
                told, connections, connections == 1 ? "" : "s", Durations.format(timeout), tunnels, tunnels == 1 ? "" : "s");
        int left;
        try {
            left = inFlight.awaitNone(start + timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            left = inFlight.count();
        }
        if (left == 0) {
            lingerForConnections(Math.min(start + timeout.toNanos(), System.nanoTime() + DRAIN_LINGER.toNanos()));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (left == 0) {
            LOG.log(INFO, "drained: every tunnel ended by itself ({0} open at the start) in {1} ms", tunnels, took.toMillis());
        } else {
            LOG.log(INFO, "drain ended after {0} ms: closing {1} tunnel{2} still open ({3} open at the start)",
                    took.toMillis(), left, left == 1 ? "" : "s", tunnels);
        }
        close();
        return new DrainReport(told, tunnels, left, took);
    }

    /**
     * A tunnel has ended on the relay once it has handed its last bytes and FIN to the connection; they may still wait
     * in the QUIC stack for the window or an acknowledgement, and closing the connection now would discard them (a
     * client lost the tail of a draining relay's last tunnel: {@code DrainLastBytesTest}). Clients told by GOAWAY close
     * their connections when done; this waits for that, up to the deadline. Polled: the engines report connection
     * counts, not their ends.
     */
    private void lingerForConnections(long deadlineNanos) {
        while (openConnections() > 0 && System.nanoTime() < deadlineNanos && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(10_000_000);
        }
    }

    /**
     * Port 0 for a TCP address that HTTP/3 also listens on with port 0 means "HTTP/3's port", so a relay on a free
     * port (tests, a second dev relay) still has one port number for both, as a relay URL assumes.
     */
    private static InetSocketAddress samePortAsHttp3(InetSocketAddress tcp, List<InetSocketAddress> udp,
                                                     List<ServerEngine> bound) {
        if (tcp.getPort() != 0) {
            return tcp;
        }
        for (int i = 0; i < udp.size() && i < bound.size(); i++) {
            if (udp.get(i).equals(tcp)) {
                return new InetSocketAddress(tcp.getAddress(), bound.get(i).localAddress().getPort());
            }
        }
        return tcp;
    }

    /** The bound TCP addresses of the HTTP/2 and HTTP/1.1 listener (empty when it is off). */
    public List<InetSocketAddress> tcpAddresses() {
        return tcpListeners.stream().map(ServerEngine::localAddress).toList();
    }

    /**
     * Loads now the classes that answer "out of file descriptors": loading a class from a folder (rather than an open
     * jar) needs a descriptor of its own, and at that moment there is none — the answer would be a 500.
     */
    private static void preloadExhaustionAnswer() {
        ResourceExhaustion.of(new IOException("Too many open files")).orElseThrow().responseHeaders("relay");
        for (Class<?> answering : List.of(Responses.class, RequestDrain.class, TunnelLog.class)) {
            try {
                Class.forName(answering.getName(), true, answering.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The bound addresses, with the ports chosen when 0 was asked for. */
    public List<InetSocketAddress> addresses() {
        return listeners.stream().map(ServerEngine::localAddress).toList();
    }

    /** Stops listening and closes every connection (their tunnels end with them). A second close does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            tcpListeners.forEach(ServerEngine::close);
            listeners.forEach(ServerEngine::close);
        }
    }
}
