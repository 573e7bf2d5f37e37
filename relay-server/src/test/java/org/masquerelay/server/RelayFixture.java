package org.masquerelay.server;

import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.testpeers.NettyH3Client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Our relay on loopback on the engine named by {@link #ENGINE} (dev-mode identity and loopback-only policy unless a
 * test changes the settings), with
 * Netty/quiche clients that are closed with it.
 */
final class RelayFixture implements AutoCloseable {
    static final Duration T = Duration.ofSeconds(10);
    /** The QUIC engine under test: system property {@code relay.engine} (kwik or quiche; relay-server/pom.xml). */
    static final QuicEngine ENGINE = QuicEngine.parse("relay.engine", System.getProperty("relay.engine", "kwik"));

    private final RelayServer relay;
    private final Path caCertificate;
    private final List<NettyH3Client> clients = new ArrayList<>();

    private RelayFixture(RelayServer relay, Path caCertificate) {
        this.relay = relay;
        this.caCertificate = caCertificate;
    }

    static RelayFixture start(Path stateDir) throws IOException {
        return start(stateDir, UnaryOperator.identity());
    }

    static RelayFixture start(Path stateDir, UnaryOperator<RelaySettings.Builder> customise) throws IOException {
        DevMode.Dev dev = DevMode.prepare(stateDir, List.of(new InetSocketAddress("127.0.0.1", 0)));
        return new RelayFixture(RelayServer.start(customise.apply(dev.settings().newBuilder().engine(ENGINE)).build()), dev.caCertificate());
    }

    InetSocketAddress address() {
        return relay.addresses().get(0);
    }

    RelayServer server() {
        return relay;
    }

    Path caCertificate() {
        return caCertificate;
    }

    /** A Netty client that verifies the relay's certificate against the dev CA, with QUIC datagrams. */
    NettyH3Client client() {
        return client(NettyH3Client.Options.defaults().trusting(caCertificate));
    }

    NettyH3Client client(NettyH3Client.Options options) {
        NettyH3Client client = NettyH3Client.connect(address(), options);
        clients.add(client);
        return client;
    }

    @Override
    public void close() {
        clients.forEach(NettyH3Client::close);
        relay.close();
    }
}
