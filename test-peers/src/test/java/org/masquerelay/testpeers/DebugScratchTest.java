package org.masquerelay.testpeers;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.*;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.*;
import io.netty.handler.codec.quic.*;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.Test;
import java.net.*;
import java.util.concurrent.TimeUnit;

class DebugScratchTest {
    static ChannelHandler handler() {
        String v = System.getProperty("variant", "a");
        Http3Settings settings = new Http3Settings((id, value) -> true);
        settings.enableH3Datagram(true);
        if (v.equals("a")) return new Http3ClientConnectionHandler(null, null, null, new DefaultHttp3SettingsFrame(settings), true, (id, value) -> true);
        if (v.equals("b")) return new Http3ClientConnectionHandler(null, null, null, new DefaultHttp3SettingsFrame(settings), true);
        if (v.equals("c")) return new Http3ClientConnectionHandler(null, null, null, null, true);
        return new ChannelInitializer<QuicChannel>() { protected void initChannel(QuicChannel ch) { ch.pipeline().addLast(new Http3ClientConnectionHandler()); } };
    }
    @Test
    void debug() throws Exception {
        try (NettyH3TestServer server = new NettyH3TestServer(InetAddress.getByName("127.0.0.1"), true)) {
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            QuicSslContext context = QuicSslContextBuilder.forClient()
                    .trustManager(InsecureTrustManagerFactory.INSTANCE).applicationProtocols("h3").build();
            ChannelHandler codec = Http3.newQuicClientCodecBuilder().sslContext(context)
                    .maxIdleTimeout(5000, TimeUnit.MILLISECONDS).initialMaxData(10000000)
                    .initialMaxStreamDataBidirectionalLocal(1000000).build();
            Channel channel = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec)
                    .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)).sync().channel();
            QuicChannel quic = QuicChannel.newBootstrap(channel).handler(handler())
                    .remoteAddress(server.address()).connect().get();
            System.err.println("A active=" + quic.isActive() + " control=" + Http3.getLocalControlStream(quic)
                + " allowedUni=" + quic.peerAllowedStreams(QuicStreamType.UNIDIRECTIONAL));
            var f = quic.createStream(QuicStreamType.UNIDIRECTIONAL, new ChannelInboundHandlerAdapter()).await(2000);
            System.err.println("B create: " + f);
            Thread.sleep(500);
            System.err.println("C control=" + Http3.getLocalControlStream(quic) + " serverSettings=" + server.clientSettings);
            quic.close().sync(); channel.close().sync(); group.shutdownGracefully();
        }
    }
}
