package org.masquerelay.server;

import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ServerEngine;
import org.masquerelay.engine.ClientAdmission;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.UnfinishedRequests;
import org.masquerelay.engine.h2.H2ServerEngine;
import org.masquerelay.engine.h2.ListenerOptions;
import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.engine.kwik.KwikServerEngine;
import org.masquerelay.engine.quiche.QuicheServerEngine;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.server.tunnel.ResourceExhaustion;
import org.masquerelay.server.tunnel.TargetResolver;
import org.masquerelay.wire.ConnectRequestParser;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The relay: one HTTP/3 listener per configured address and one TLS-over-TCP listener (HTTP/2, HTTP/1.1) per TCP
 * address, all sharing the policy and handlers: a request is routed and answered the same way whatever carried it.
 */
public final class RelayServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RelayServer.class.getName());

    private final List<ServerEngine> listeners;
    private final List<ServerEngine> tcpListeners;

    private RelayServer(List<ServerEngine> listeners, List<ServerEngine> tcpListeners) {
        this.listeners = listeners;
        this.tcpListeners = tcpListeners;
    }

    public static RelayServer start(RelaySettings settings) throws IOException {
        TargetResolver resolver = new TargetResolver(settings.policy());
        ConnectRequestParser parser = new ConnectRequestParser(settings.udpTemplates());
        TcpConnectHandler tcp = new TcpConnectHandler(resolver, settings.tunnel());
        UdpConnectHandler udp = new UdpConnectHandler(resolver, settings.tunnel());
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
        List<ServerEngine> listeners = new ArrayList<>();
        List<ServerEngine> tcpListeners = new ArrayList<>();
        ConnectionHandler handler = connection -> new RelayConnection(settings, connection, parser, tcp, udp,
                relayTunnels);
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
                            () -> H2ServerEngine.start(address, engineSettings, options, handler));
                } catch (java.net.BindException e) {
                    if (configured.getPort() != 0 || address.getPort() == 0) {
                        throw e;
                    }
                    // "Any free port" was asked for: HTTP/3's number is taken on TCP, so another one will do.
                    listener = Listeners.bind(configured, "TCP",
                            () -> H2ServerEngine.start(configured, engineSettings, options, handler));
                }
                tcpListeners.add(listener);
                LOG.log(INFO, "listening on {0} (HTTP/2 and HTTP/1.1, TLS over TCP)", listener.localAddress());
            }
        } catch (IOException | RuntimeException e) {
            listeners.forEach(ServerEngine::close);
            tcpListeners.forEach(ServerEngine::close);
            throw e;
        }
        return new RelayServer(listeners, tcpListeners);
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

    /** Stops listening and closes every connection (their tunnels end with them). */
    @Override
    public void close() {
        tcpListeners.forEach(ServerEngine::close);
        listeners.forEach(ServerEngine::close);
    }
}
