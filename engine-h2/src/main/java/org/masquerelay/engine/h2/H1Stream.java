package org.masquerelay.engine.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import org.masquerelay.wire.HttpFields;

/**
 * The one request of an HTTP/1.1 connection. Its response goes through Netty's HTTP/1.1 encoder, which then leaves
 * the pipeline: after a 2xx to {@code CONNECT host:port} (RFC 9110 §9.3.6) or a 101 to {@code Upgrade: connect-udp}
 * (RFC 9298 §3.2) the connection carries the tunnel's bytes (or capsules) as they are; after any other answer, its
 * body and then the end of the connection. Our end of the tunnel is a TLS close_notify (the TCP connection stays
 * open for the client's last bytes); an abort is a TCP reset.
 */
final class H1Stream extends TlsStream {
    private final boolean upgradeUdp;
    private final String altSvc;

    /** @param upgradeUdp the request was {@code Upgrade: connect-udp}: a 2xx from the relay becomes 101 */
    H1Stream(Channel channel, TlsConnection connection, HttpFields request, boolean upgradeUdp, String altSvc) {
        super(channel, connection, 1, request);
        this.upgradeUdp = upgradeUdp;
        this.altSvc = altSvc;
    }

    @Override
    protected ChannelFuture writeResponse(HttpFields responseHeaders, long bodyLength, boolean last) {
        int status = Integer.parseInt(responseHeaders.getOrNull(":status"));
        boolean tunnel = status / 100 == 2 && !last;
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                tunnel && upgradeUdp ? HttpResponseStatus.SWITCHING_PROTOCOLS : HttpResponseStatus.valueOf(status));
        for (HttpFields.Field field : responseHeaders) {
            if (!field.isPseudo()) {
                response.headers().add(field.name(), field.value());
            }
        }
        if (tunnel && upgradeUdp) {
            response.headers().set("connection", "upgrade").set("upgrade", "connect-udp");
        } else if (!tunnel) {
            // One request per connection: what follows the answer is its body, then the end.
            response.headers().set("connection", "close");
            if (bodyLength >= 0) {
                response.headers().set("content-length", Long.toString(bodyLength));
            }
        }
        if (altSvc != null) {
            response.headers().set("alt-svc", altSvc);
        }
        ChannelPromise written = channel.newPromise();
        channel.eventLoop().execute(() -> {
            channel.writeAndFlush(response, written);
            // Encoded synchronously above: from here on the connection carries raw bytes.
            if (channel.pipeline().get(HttpResponseEncoder.class) != null) {
                channel.pipeline().remove(HttpResponseEncoder.class);
            }
            if (last) {
                writeEnd();
            }
        });
        return written;
    }

    @Override
    protected ChannelFuture writeBody(ByteBuf bytes, boolean last) {
        ChannelFuture written = channel.writeAndFlush(bytes);
        if (last) {
            writeEnd();
        }
        return written;
    }

    /** TLS close_notify: the client reads the end of the tunnel; the connection stays open for its last bytes. */
    @Override
    protected void writeEnd() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl != null) {
            channel.eventLoop().execute(() -> ssl.closeOutbound());
        } else {
            channel.close();
        }
    }

    @Override
    protected void writeAbort(long h3ErrorCode) {
        channel.eventLoop().execute(() -> {
            if (channel.isOpen()) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
                channel.close();
            }
        });
    }

    /** The answer is complete and the client had its time to read it: the connection ends. */
    @Override
    protected void stopAfterFinish(long h3ErrorCode) {
        channel.close();
    }
}
