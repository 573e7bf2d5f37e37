package org.masquerelay.server;

import org.masquerelay.engine.ServerStream;
import org.masquerelay.engine.TcpSplicer;
import org.masquerelay.engine.TcpTarget;
import org.masquerelay.server.tunnel.HappyEyeballs;
import org.masquerelay.server.tunnel.TargetResolver;
import org.masquerelay.server.tunnel.TunnelException;
import org.masquerelay.server.tunnel.TunnelRecord;
import org.masquerelay.server.tunnel.TunnelSettings;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.Target;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Classic CONNECT (RFC 9114 §4.4), what Apple's client sends for TCP flows: policy and DNS, a Happy Eyeballs TCP
 * connection, 200 as soon as it is up, then the engine's data plane ({@link TcpSplicer}) carries the bytes. Data the
 * client sent before the 200 waits in the stream and is forwarded first.
 */
final class TcpConnectHandler {
    private final String serverName;
    private final TargetResolver resolver;
    private final TunnelSettings settings;

    TcpConnectHandler(String serverName, TargetResolver resolver, TunnelSettings settings) {
        this.serverName = serverName;
        this.resolver = resolver;
        this.settings = settings;
    }

    void handle(ServerStream stream, Target target) {
        TunnelLog log = new TunnelLog("tcp", stream, target);
        long start = System.nanoTime();
        TcpSplicer splicer = stream.tcp();
        TcpTarget connection;
        try {
            List<InetAddress> addresses = resolver.resolve(target, settings.connectTimeout());
            Duration left = settings.connectTimeout().minusNanos(System.nanoTime() - start);
            connection = HappyEyeballs.connect(addresses, target.port(), settings.attemptDelay(),
                    left.isNegative() ? Duration.ofMillis(1) : left, splicer);
        } catch (TunnelException e) {
            log.refused(e.httpStatus(), e.proxyError(), e.getMessage());
            Responses.error(stream, serverName, e.httpStatus(), e.proxyError(), e.getMessage(), null);
            return;
        }
        try {
            Responses.tunnelEstablished(stream);
        } catch (IOException e) {
            // The client gave up (cancelled the stream) while we were connecting.
            connection.close();
            stream.reset(H3.H3_REQUEST_CANCELLED);
            return;
        }
        TunnelRecord record = log.opened(connection.remoteAddress());
        splicer.splice(connection, settings.idleTimeout(), record);
        log.closed(record);
    }
}
