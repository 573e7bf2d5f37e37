package org.masquerelay.engine.h2;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import org.masquerelay.engine.HttpConnection;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One client connection over TLS on TCP (HTTP/2 or HTTP/1.1) behind the relay's connection interface. The interface
 * is named for HTTP/3, whose QUIC DATAGRAM frames this transport lacks: {@link #datagramsEnabled()} is false, so
 * connect-udp payloads travel as DATAGRAM capsules in the request stream's body (RFC 9297 §3.5), which the relay's
 * UDP tunnel reads and writes itself.
 */
final class TlsConnection implements HttpConnection {
    private final Channel channel;
    private final String protocol;
    private final Set<TlsStream> streams = ConcurrentHashMap.newKeySet();

    TlsConnection(Channel channel, String protocol) {
        this.channel = channel;
        this.protocol = protocol;
        // Every stream learns of the connection's end from here: a stream channel that is not reading (autoRead off)
        // does not always see its own close when the whole connection goes.
        channel.closeFuture().addListener(f -> streams.forEach(s -> s.closed("the client's connection closed")));
    }

    void opened(TlsStream stream) {
        streams.add(stream);
        if (!channel.isActive()) {
            stream.closed("the client's connection closed");
        }
    }

    void ended(TlsStream stream) {
        streams.remove(stream);
    }

    /** "h2" or "http/1.1". */
    String protocol() {
        return protocol;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public boolean datagramsEnabled() {
        return false;
    }

    @Override
    public int maxDatagramSize() {
        return 0;
    }

    @Override
    public void onClose(Consumer<String> listener) {
        channel.closeFuture().addListener(f -> listener.accept("TCP connection closed"));
    }

    /** HTTP/2: GOAWAY then close (Netty's codec sends it on close); HTTP/1.1: close. */
    @Override
    public void close(long h3ErrorCode, String reason) {
        channel.close();
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public Optional<X509Certificate> peerCertificate() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? Optional.of(x) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
