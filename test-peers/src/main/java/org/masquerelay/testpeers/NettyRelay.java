package org.masquerelay.testpeers;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.http3.Http3Settings;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal MASQUE relay on Netty's QUIC (quiche) and HTTP/3 codecs, built only from Maven Central artifacts. It is
 * the <em>independent</em> relay of the test suites: it shares no code with our wire/core modules, so a client bug
 * that our own relay happens to mirror still shows up against this one.
 * <p>
 * It serves classic CONNECT (RFC 9114 §4.4) to TCP targets and connect-udp (RFC 9298) on the default template
 * {@code /.well-known/masque/udp/{host}/{port}/}, with HTTP datagrams as QUIC DATAGRAM frames when the client
 * negotiated them and as DATAGRAM capsules (RFC 9297) on the request stream otherwise. Targets must be loopback
 * addresses (others get 403): a test relay must never become an open proxy. No authentication, no policy beyond that.
 * <p>
 * Everything of one QUIC connection runs on that connection's event loop (targets are registered on it too), so the
 * handlers below need no locking.
 */
public final class NettyRelay implements AutoCloseable {
    private static final Pattern UDP_PATH = Pattern.compile("/\\.well-known/masque/udp/([^/]+)/([0-9]+)/");
    /** RFC 9114 §8.1: the tunnel's TCP connection was reset or aborted. */
    static final int H3_CONNECT_ERROR = 0x10f;
    private static final String PROXY = "netty-relay";
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ChannelGroup requestStreams = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Duration connectTimeout;
    private final Channel udp;

    private NettyRelay(InetAddress bind, QuicSslContext ssl, Duration connectTimeout) throws InterruptedException {
        this.connectTimeout = connectTimeout;
        var codec = Http3.newQuicServerCodecBuilder()
                .sslContext(ssl)
                .maxIdleTimeout(60, TimeUnit.SECONDS)
                .initialMaxData(64L << 20)
                .initialMaxStreamDataBidirectionalLocal(16L << 20)
                .initialMaxStreamDataBidirectionalRemote(16L << 20)
                .initialMaxStreamDataUnidirectional(1L << 20)
                .initialMaxStreamsBidirectional(256)
                .initialMaxStreamsUnidirectional(100)
                // Always offered; quiche only uses it if the client offers it too (QuicDatagramExtensionEvent).
                .datagram(4096, 4096)
                .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel quic) {
                        connections.add(quic);
                        quic.attr(NettyRelayUdpTunnel.UDP_TUNNELS).set(new HashMap<>());
                        // RFC 9220 (extended CONNECT) and RFC 9297 (HTTP datagrams) must be announced in SETTINGS.
                        Http3Settings settings = new Http3Settings().enableConnectProtocol(true)
                                .enableH3Datagram(true);
                        quic.pipeline().addLast(new Http3ServerConnectionHandler(
                                new ChannelInitializer<QuicStreamChannel>() {
                                    @Override
                                    protected void initChannel(QuicStreamChannel stream) {
                                        requestStreams.add(stream);
                                        stream.pipeline().addLast(new RequestHandler());
                                    }
                                }, null, null, new DefaultHttp3SettingsFrame(settings), true));
                        quic.pipeline().addLast(new NettyRelayUdpTunnel.DatagramRouter());
                    }
                });
        udp = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec.build())
                .bind(new InetSocketAddress(bind, 0)).sync().channel();
    }

    /** A relay with the certificate chain and (unencrypted PKCS#8) key in these PEM files. */
    public static NettyRelay start(InetAddress bind, Path certPem, Path keyPem) throws InterruptedException {
        return new NettyRelay(bind, QuicSslContextBuilder.forServer(keyPem.toFile(), null, certPem.toFile())
                .applicationProtocols("h3").build(), Duration.ofSeconds(10));
    }

    /**
     * @param connectTimeout bound on connecting to a TCP target; past it the client gets 504
     *                       {@code connection_timeout}
     */
    public static NettyRelay start(InetAddress bind, PrivateKey key, Duration connectTimeout,
                                   X509Certificate... chain) throws InterruptedException {
        return new NettyRelay(bind, QuicSslContextBuilder.forServer(key, null, chain).applicationProtocols("h3")
                .build(), connectTimeout);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) udp.localAddress();
    }

    /**
     * Resets every open tunnel (H3_CONNECT_ERROR) and closes every connection (CONNECTION_CLOSE), then the socket:
     * a client mid-transfer must see the end at once, never a clean FIN nor only its idle timeout.
     * <p>
     * quiche writes CONNECTION_CLOSE only into what the congestion window has left, and Netty frees a closed connection
     * after that one send: closed at once in the middle of a download, the close never left and the client waited out
     * its idle timeout (interop case K, about 3 runs in 10). So the streams stop sending first (RESET_STREAM: quiche
     * drops what it held for them), each client gets three round trips to acknowledge what is in flight, then its
     * connection closes, and the socket closes once the codec has flushed the close packets.
     */
    @Override
    public void close() {
        List<Future<?>> resets = new ArrayList<>();
        for (Channel s : requestStreams) {
            resets.add(s.eventLoop().submit(() -> ((QuicStreamChannel) s).shutdown(H3_CONNECT_ERROR)));
        }
        resets.forEach(f -> f.awaitUninterruptibly(1, TimeUnit.SECONDS));
        List<Future<?>> closes = new ArrayList<>();
        for (Channel c : connections) {
            closes.add(closeAfterInFlight((QuicChannel) c));
        }
        closes.forEach(f -> f.awaitUninterruptibly(2, TimeUnit.SECONDS));
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS); // any that did not close in time
        udp.eventLoop().submit(() -> udp.flush()).awaitUninterruptibly(1, TimeUnit.SECONDS);
        udp.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Closes {@code quic} (H3_NO_ERROR) three round trips from now, within [20 ms, 1 s]; done once it is closed. */
    private static Future<Void> closeAfterInFlight(QuicChannel quic) {
        Promise<Void> closed = quic.eventLoop().newPromise();
        quic.collectPathStats(0).addListener(stats -> {
            long rtt = stats.isSuccess() ? ((QuicConnectionPathStats) stats.getNow()).rtt() : 0;
            long pause = Math.clamp(3 * rtt, TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.SECONDS.toNanos(1));
            quic.eventLoop().schedule(() -> quic.close(true, 0x100, Unpooled.EMPTY_BUFFER)
                    .addListener(f -> closed.trySuccess(null)), pause, TimeUnit.NANOSECONDS);
        });
        return closed;
    }

    // ------------------------------------------------------------------------------------------------ requests

    /** One request stream: parses the CONNECT, then hands its DATA to the TCP or UDP tunnel it opened. */
    private final class RequestHandler extends ChannelInboundHandlerAdapter {
        private NettyRelayTcpTunnel tcp;
        private NettyRelayUdpTunnel udpTunnel;
        private boolean answered;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http3HeadersFrame headers && !answered) {
                    answered = true;
                    onRequest((QuicStreamChannel) ctx.channel(), headers.headers());
                } else if (msg instanceof Http3DataFrame data) {
                    if (tcp != null) {
                        tcp.fromClient(data.content().retain());
                    } else if (udpTunnel != null) {
                        udpTunnel.fromCapsules(data.content());
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void onRequest(QuicStreamChannel stream, Http3Headers h) {
            if (!"CONNECT".contentEquals(h.method() == null ? "" : h.method())) {
                respond(stream, "405", "http_request_error", true);
                return;
            }
            String protocol = h.protocol() == null ? null : h.protocol().toString();
            String host;
            String port;
            if (protocol == null) { // classic CONNECT: the target is :authority
                String authority = String.valueOf(h.authority());
                int colon = authority.lastIndexOf(':');
                if (colon <= 0) {
                    respond(stream, "400", "http_request_error", true);
                    return;
                }
                host = authority.substring(0, colon);
                port = authority.substring(colon + 1);
            } else if (protocol.equals("connect-udp")) {
                Matcher m = UDP_PATH.matcher(String.valueOf(h.path()));
                if (!m.matches()) {
                    respond(stream, "404", "http_request_error", true); // only the default template is served
                    return;
                }
                host = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8); // IPv6 comes as 0%3A%3A1
                port = m.group(2);
            } else {
                respond(stream, "501", "http_request_error", true);
                return;
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            InetSocketAddress target;
            try {
                // Loopback names only, and only literal or "localhost": no DNS lookups go out from a test relay.
                InetAddress address = InetAddress.getByName(host.equalsIgnoreCase("localhost") ? "127.0.0.1" : host);
                if (!isLiteral(host) && !host.equalsIgnoreCase("localhost") || !address.isLoopbackAddress()) {
                    respond(stream, "403", "destination_ip_prohibited", true);
                    return;
                }
                target = new InetSocketAddress(address, Integer.parseInt(port));
            } catch (Exception e) {
                respond(stream, "400", "http_request_error", true);
                return;
            }
            if (protocol == null) {
                tcp = new NettyRelayTcpTunnel(stream, target, connectTimeout);
            } else {
                udpTunnel = new NettyRelayUdpTunnel(stream, target);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownReadComplete.INSTANCE) {
                if (tcp != null) {
                    tcp.clientFin();
                } else if (udpTunnel != null) {
                    udpTunnel.close(); // RFC 9298 §3.1: a FIN ends the UDP tunnel
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (tcp != null) {
                tcp.target.config().setAutoRead(ctx.channel().isWritable()); // back-pressure toward the target
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (tcp != null) {
                tcp.target.close();
            }
            if (udpTunnel != null) {
                udpTunnel.close();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset or a malformed frame: Netty has already aborted the stream; drop the target with it.
            ctx.close();
        }
    }

    private static boolean isLiteral(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    /** A final response; {@code error} goes into Proxy-Status (RFC 9209) unless the status is 2xx. */
    static ChannelFuture respond(QuicStreamChannel stream, String status, String error, boolean fin) {
        Http3HeadersFrame response = new DefaultHttp3HeadersFrame();
        response.headers().status(status);
        if (error != null) {
            response.headers().add("proxy-status", PROXY + "; error=" + error);
        }
        ChannelFuture written = stream.writeAndFlush(response);
        if (fin) {
            written.addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
        }
        return written;
    }
}
