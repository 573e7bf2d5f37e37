package org.masquerelay.server;

import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ServerEngine;
import org.masquerelay.engine.ClientAdmission;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.UnfinishedRequests;
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

/** The relay: one HTTP/3 listener per configured address, all sharing the policy and handlers. */
public final class RelayServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RelayServer.class.getName());

    private final List<ServerEngine> listeners;

    private RelayServer(List<ServerEngine> listeners) {
        this.listeners = listeners;
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
        try {
            for (InetSocketAddress address : settings.listen()) {
                ConnectionHandler handler = connection -> new RelayConnection(settings, connection, parser, tcp, udp,
                        relayTunnels);
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
        return new RelayServer(listeners);
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
        listeners.forEach(ServerEngine::close);
    }
}
