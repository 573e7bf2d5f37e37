package org.masquerelay.server;

import org.masquerelay.engine.ServerStream;
import org.masquerelay.engine.TcpSplicer;
import org.masquerelay.engine.TcpTarget;
import org.masquerelay.server.tunnel.HappyEyeballs;
import org.masquerelay.server.tunnel.TargetResolver;
import org.masquerelay.server.tunnel.TunnelRecord;
import org.masquerelay.server.tunnel.TunnelSettings;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.Target;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Classic CONNECT (RFC 9114 §4.4), what Apple's client sends for TCP flows: policy and DNS, a Happy Eyeballs TCP
 * connection; once {@link RelayConnection} has sent the 200, the engine's data plane ({@link TcpSplicer}) carries
 * the bytes. Data the client sent before the 200 waits in the stream and is forwarded first.
 */
final class TcpConnectHandler {
    /** 2xx for classic CONNECT: no body follows other than the tunnel bytes (RFC 9114 §4.4). */
    private static final HttpFields ESTABLISHED = HttpFields.builder().add(":status", "200").build();

    private final TargetResolver resolver;
    private final TunnelSettings settings;

    TcpConnectHandler(TargetResolver resolver, TunnelSettings settings) {
        this.resolver = resolver;
        this.settings = settings;
    }

    /** Resolves, checks and connects the target, all within the connect timeout. */
    PendingTunnel connect(ServerStream stream, Target target) throws Refusal {
        long start = System.nanoTime();
        TcpSplicer splicer = stream.tcp();
        List<InetAddress> addresses = resolver.resolve(target, settings.connectTimeout());
        Duration left = settings.connectTimeout().minusNanos(System.nanoTime() - start);
        TcpTarget connection = HappyEyeballs.connect(addresses, target.port(), settings.attemptDelay(),
                left.isNegative() ? Duration.ofMillis(1) : left, splicer);
        return new PendingTunnel(ESTABLISHED, connection.remoteAddress(),
                record -> splicer.splice(connection, settings.idleTimeout(), record), connection::close);
    }
}
