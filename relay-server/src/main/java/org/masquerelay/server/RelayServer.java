package org.masquerelay.server;

import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ServerEngine;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.H3Connection;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.server.metrics.RelayMetrics;
import org.masquerelay.engine.kwik.KwikServerEngine;
import org.masquerelay.engine.quiche.QuicheServerEngine;
import org.masquerelay.server.config.QuicEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.masquerelay.server.config.Durations;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The relay: one HTTP/3 listener per configured address, all sharing the policy and handlers. It serves until
 * {@link #drain} (graceful: no new connections, GOAWAY, open tunnels run on to a deadline) or {@link #close}.
 */
public final class RelayServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RelayServer.class.getName());

    private final List<ServerEngine> listeners;
    private final InFlight inFlight;
    private final AtomicReference<Serving> serving;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private RelayServer(List<ServerEngine> listeners, InFlight inFlight, AtomicReference<Serving> serving) {
        this.listeners = listeners;
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
        EngineSettings engineSettings = settings.engineSettings();
        QuicEngine engine = settings.engine().resolve();
        LOG.log(INFO, "QUIC engine: {0} ({1})", engine.configName(), settings.engine().choiceReason());
        metrics.build(org.masquerelay.display.Version.number(), engine.configName());
        List<ServerEngine> listeners = new ArrayList<>();
        InFlight inFlight = new InFlight();
        try {
            for (InetSocketAddress address : settings.listen()) {
                ConnectionHandler handler = connections(serving, inFlight, metrics, "h3");
                ServerEngine listener = Listeners.bind(address, () -> switch (engine) {
                    case KWIK -> KwikServerEngine.start(address, engineSettings, handler);
                    case QUICHE, AUTO -> QuicheServerEngine.start(address, engineSettings, handler);
                });
                listeners.add(listener);
                LOG.log(INFO, "listening on {0} (HTTP/3, UDP, {1} engine)", listener.localAddress(), engine.configName());
            }
        } catch (IOException | RuntimeException e) {
            listeners.forEach(ServerEngine::close);
            throw e;
        }
        return new RelayServer(listeners, inFlight, serving);
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
            for (ServerEngine listener : listeners) {
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
    private static ConnectionHandler connections(AtomicReference<Serving> serving, InFlight inFlight, RelayMetrics metrics,
                                                 String transport) {
        return new ConnectionHandler() {
            @Override
            public RequestHandler connected(H3Connection connection) {
                return new RelayConnection(serving::get, connection, inFlight, metrics, transport);
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
        return listeners.stream().mapToInt(ServerEngine::openConnections).sum();
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
        for (ServerEngine listener : listeners) {
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

    /** The bound addresses, with the ports chosen when 0 was asked for. */
    public List<InetSocketAddress> addresses() {
        return listeners.stream().map(ServerEngine::localAddress).toList();
    }

    /** Stops listening and closes every connection (their tunnels end with them). A second close does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            listeners.forEach(ServerEngine::close);
        }
    }
}
