package org.masquerelay.engine.h2;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A client's HTTP/1.1 "connection" to a relay. HTTP/1.1 carries one tunnel per TCP connection (the connection is the
 * tunnel once the relay answers), so each {@link #openRequest} dials a TLS connection of its own; the one made while
 * connecting — which proved the relay reachable and trusted — serves the first tunnel. Open until closed.
 */
final class H1ClientConnection implements TlsClientConnection {
    private static final long SPARE_MILLIS = 3000;

    private final ClientEngineSettings settings;
    private final SslContext tls;
    private final AtomicReference<Channel> spare;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final List<Consumer<String>> closeListeners = new CopyOnWriteArrayList<>();
    private final List<Channel> tunnels = new CopyOnWriteArrayList<>();
    private volatile String closeReason;

    H1ClientConnection(ClientEngineSettings settings, SslContext tls, Channel first) {
        this.settings = settings;
        this.tls = tls;
        this.spare = new AtomicReference<>(first);
        this.remote = (InetSocketAddress) first.remoteAddress();
        this.local = (InetSocketAddress) first.localAddress();
        // A relay closes a connection that sends no request for a while (its request-header timeout, 10 s on ours):
        // the first connection serves a tunnel opened soon after connecting, else a fresh one is dialled.
        first.eventLoop().schedule(() -> {
            if (spare.compareAndSet(first, null)) {
                first.close();
            }
        }, SPARE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public ClientStream openRequest(HttpFields request) throws IOException {
        if (closeReason != null) {
            throw new IOException("the client closed its HTTP/1.1 connections to the relay");
        }
        Channel channel = spare.getAndSet(null);
        if (channel == null || !channel.isActive()) {
            if (channel != null) {
                channel.close();
            }
            channel = H2ClientEngine.dial(settings, tls, false).channel();
        }
        Channel c = channel;
        tunnels.add(c);
        c.closeFuture().addListener(f -> tunnels.remove(c));
        return H1ClientStream.start(c, this, request);
    }

    @Override
    public String protocol() {
        return "http/1.1";
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public boolean datagramsEnabled() {
        return false;
    }

    @Override
    public int maxDatagramSize() {
        return 0;
    }

    /** HTTP/1.1 has no SETTINGS. */
    @Override
    public Map<Long, Long> peerSettings(long waitMillis) {
        return Map.of();
    }

    @Override
    public void onClose(Consumer<String> listener) {
        closeListeners.add(listener);
    }

    /** Ends every tunnel's connection (and the spare one). */
    @Override
    public void close(long h3ErrorCode, String reason) {
        if (closeReason != null) {
            return;
        }
        closeReason = "closed by the client: " + reason;
        Channel first = spare.getAndSet(null);
        if (first != null) {
            first.close();
        }
        tunnels.forEach(Channel::close);
        closeListeners.forEach(l -> l.accept(closeReason));
    }

    @Override
    public boolean isOpen() {
        return closeReason == null;
    }

    @Override
    public Optional<String> closeReason() {
        return Optional.ofNullable(closeReason);
    }
}
