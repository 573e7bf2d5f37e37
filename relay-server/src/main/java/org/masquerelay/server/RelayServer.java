package org.masquerelay.server;

import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ServerEngine;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.kwik.KwikServerEngine;
import org.masquerelay.engine.quiche.QuicheServerEngine;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.server.tunnel.TargetResolver;
import org.masquerelay.wire.ConnectRequestParser;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static java.lang.System.Logger.Level.INFO;

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
        EngineSettings engineSettings = settings.engineSettings();
        QuicEngine engine = settings.engine().resolve();
        LOG.log(INFO, "QUIC engine: {0} ({1})", engine.configName(), settings.engine().choiceReason());
        List<ServerEngine> listeners = new ArrayList<>();
        try {
            for (InetSocketAddress address : settings.listen()) {
                ConnectionHandler handler = connection -> new RelayConnection(settings, connection, parser, tcp, udp);
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
