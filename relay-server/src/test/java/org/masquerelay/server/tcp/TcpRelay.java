package org.masquerelay.server.tcp;

import org.masquerelay.server.DevMode;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.RelaySettings;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Our relay in dev mode on loopback with its TLS-over-TCP listener (HTTP/2, HTTP/1.1) on HTTP/3's port. The TCP path
 * does not depend on the QUIC engine, so these tests run once, on the default engine.
 */
final class TcpRelay implements AutoCloseable {
    static final Duration T = Duration.ofSeconds(20);

    final RelayServer relay;
    final Path caCertificate;

    private TcpRelay(RelayServer relay, Path caCertificate) {
        this.relay = relay;
        this.caCertificate = caCertificate;
    }

    static TcpRelay start(Path stateDir) throws IOException {
        return start(stateDir, UnaryOperator.identity());
    }

    static TcpRelay start(Path stateDir, UnaryOperator<RelaySettings> customise) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        DevMode.Dev dev = DevMode.prepare(stateDir, List.of(loopback));
        RelayServer relay = RelayServer.start(customise.apply(dev.settings().newBuilder().tcpListen(List.of(loopback)).build()));
        return new TcpRelay(relay, dev.caCertificate());
    }

    InetSocketAddress address() {
        return relay.tcpAddresses().get(0);
    }

    int port() {
        return address().getPort();
    }

    @Override
    public void close() {
        relay.close();
    }
}
