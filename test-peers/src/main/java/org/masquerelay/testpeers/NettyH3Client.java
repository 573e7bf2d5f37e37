package org.masquerelay.testpeers;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3Settings;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An HTTP/3 client on Netty's QUIC (quiche + BoringSSL) and HTTP/3 codecs: an implementation independent of the
 * relay's Kwik/Flupke stack, used to drive the relay in tests.
 * <p>
 * What Netty does: QUIC, TLS, ALPN, the control and QPACK streams, request HEADERS from {@link #openTcp} and
 * {@link #openUdp} (Huffman-coded, static table), and decoding of everything that arrives on request streams.
 * What this class adds: the HTTP datagram layer (quarter stream id, context id), reading the peer's SETTINGS and
 * control frames off the wire, and raw writes (frames Netty refuses to send, malformed header sections).
 */
public final class NettyH3Client implements AutoCloseable {

    /**
     * @param insecureTrustAll   accept any server certificate
     * @param caCertificatePem   trust exactly this CA / self-signed certificate (PEM); the server's certificate
     *                           must also name the address connected to (an IP SAN for 127.0.0.1 / ::1); null for
     *                           the JDK's trust store (or trust-all)
     * @param datagrams          advertise QUIC DATAGRAM (max_datagram_frame_size) and SETTINGS_H3_DATAGRAM = 1
     * @param extraSettings      more SETTINGS to send, e.g. GREASE ids {@code RawH3.grease(n)}
     * @param timeout            bound for the handshake and for each blocking write
     * @param localAddress       the client's own address (another loopback address makes another client); null =
     *                           the server's address
     * @param eventLoops         event loops shared by many clients (the caller shuts them down); null = a loop of
     *                           the client's own, shut down by {@link #close()}. Thousands of connections from one
     *                           process need shared loops: one thread per connection is what a real client avoids.
     * @param idleTimeout        the QUIC idle timeout this client offers
     */
    public record Options(boolean insecureTrustAll, Path caCertificatePem, boolean datagrams,
                          Map<Long, Long> extraSettings, Duration timeout, java.net.InetAddress localAddress,
                          EventLoopGroup eventLoops, Duration idleTimeout) {
        public Options {
            extraSettings = Map.copyOf(Objects.requireNonNull(extraSettings, "extraSettings"));
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
        }

        public Options(boolean insecureTrustAll, Path caCertificatePem, boolean datagrams,
                       Map<Long, Long> extraSettings, Duration timeout, java.net.InetAddress localAddress) {
            this(insecureTrustAll, caCertificatePem, datagrams, extraSettings, timeout, localAddress, null,
                    Duration.ofSeconds(60));
        }

        public static Options defaults() {
            return new Options(true, null, true, Map.of(), Duration.ofSeconds(10), null);
        }

        public Options on(EventLoopGroup shared) {
            return new Options(insecureTrustAll, caCertificatePem, datagrams, extraSettings, timeout, localAddress,
                    shared, idleTimeout);
        }

        public Options withIdleTimeout(Duration value) {
            return new Options(insecureTrustAll, caCertificatePem, datagrams, extraSettings, timeout, localAddress,
                    eventLoops, value);
        }

        public Options withDatagrams(boolean on) {
            return new Options(insecureTrustAll, caCertificatePem, on, extraSettings, timeout, localAddress, eventLoops,
                    idleTimeout);
        }

        public Options withExtraSettings(Map<Long, Long> settings) {
            return new Options(insecureTrustAll, caCertificatePem, datagrams, settings, timeout, localAddress,
                    eventLoops, idleTimeout);
        }

        public Options trusting(Path caPem) {
            return new Options(false, caPem, datagrams, extraSettings, timeout, localAddress, eventLoops, idleTimeout);
        }

        public Options from(java.net.InetAddress local) {
            return new Options(insecureTrustAll, caCertificatePem, datagrams, extraSettings, timeout, local, eventLoops,
                    idleTimeout);
        }
    }

    /** A frame as it was on the wire. */
    public record Frame(long type, byte[] payload) {
    }

    /** How the QUIC connection was closed (by either side), from quiche. */
    public record ConnectionClose(boolean applicationClose, long error, String reason) {
    }

    private final Options options;
    private final EventLoopGroup group;
    private final Channel udp;
    private final QuicChannel quic;
    private final NettyH3ClientState state;

    private NettyH3Client(Options options, EventLoopGroup group, Channel udp, QuicChannel quic, NettyH3ClientState state) {
        this.options = options;
        this.group = group;
        this.udp = udp;
        this.quic = quic;
        this.state = state;
    }

    public static NettyH3Client connect(InetSocketAddress server, Options options) {
        if (!server.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("test peers talk to loopback only: " + server);
        }
        EventLoopGroup group = options.eventLoops() != null ? options.eventLoops()
                : new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        NettyH3ClientState state = new NettyH3ClientState();
        try {
            QuicSslContextBuilder tls = QuicSslContextBuilder.forClient()
                    // Explicitly h3 only: Netty's default list starts with draft versions (h3-29).
                    .applicationProtocols("h3");
            if (options.caCertificatePem() != null) {
                tls.trustManager(options.caCertificatePem().toFile());
            } else if (options.insecureTrustAll()) {
                tls.trustManager(InsecureTrustManagerFactory.INSTANCE);
            }
            QuicSslContext ssl = tls.build();
            var codec = Http3.newQuicClientCodecBuilder()
                    .sslContext(ssl)
                    // Without a peer host the engine has nothing to check the certificate's names against, and
                    // Netty 4.2 clients verify host names by default: every trusted certificate would fail.
                    .sslEngineProvider(q -> ssl.newEngine(q.alloc(), server.getHostString(), server.getPort()))
                    .maxIdleTimeout(options.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .initialMaxData(64L << 20)
                    .initialMaxStreamDataBidirectionalLocal(16L << 20)
                    .initialMaxStreamDataBidirectionalRemote(16L << 20)
                    .initialMaxStreamDataUnidirectional(1L << 20)
                    .initialMaxStreamsUnidirectional(100);
            if (options.datagrams()) {
                codec.datagram(4096, 4096); // receive/send queue lengths; quiche advertises 65536 bytes
            }
            Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec.build())
                    .bind(new InetSocketAddress(options.localAddress() != null ? options.localAddress() : server.getAddress(), 0))
                    .sync().channel();

            Http3Settings settings = new Http3Settings((id, value) -> true); // let GREASE and unknown ids through
            if (options.datagrams()) {
                settings.enableH3Datagram(true);
            }
            options.extraSettings().forEach(settings::put);
            Http3ClientConnectionHandler h3 = new Http3ClientConnectionHandler(null, null, null,
                    new DefaultHttp3SettingsFrame(settings), true, (id, value) -> true);

            Future<QuicChannel> connecting = QuicChannel.newBootstrap(udp)
                    .handler(new ChannelInitializer<QuicChannel>() {
                        @Override
                        protected void initChannel(QuicChannel ch) {
                            ch.pipeline().addLast(new PeerUniStreamTap(state));
                            ch.pipeline().addLast(h3);
                            ch.pipeline().addLast(new NettyH3ConnectionEvents(state));
                        }
                    })
                    .remoteAddress(server)
                    .connect();
            if (!connecting.await(options.timeout().toMillis())) {
                connecting.cancel(false);
                throw new PeerException(PeerException.Kind.TIMEOUT, "QUIC handshake with " + server
                        + " did not finish within " + options.timeout(), null, null);
            }
            if (!connecting.isSuccess()) {
                throw new PeerException(PeerException.Kind.FAILED, "QUIC handshake with " + server + " failed: "
                        + connecting.cause(), null, connecting.cause());
            }
            return new NettyH3Client(options, group, udp, connecting.getNow(), state);
        } catch (Exception e) {
            if (group != options.eventLoops()) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            if (e instanceof PeerException p) {
                throw p;
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new PeerException(PeerException.Kind.FAILED, "cannot connect to " + server + ": " + e, null, e);
        }
    }

    public QuicChannel quicChannel() {
        return quic;
    }

    public boolean isOpen() {
        return quic.isActive();
    }

    /** How the connection was closed, once it was. */
    public Optional<ConnectionClose> connectionClose() {
        return Optional.ofNullable(state.close);
    }

    // ------------------------------------------------------------------------------------------------ SETTINGS

    /** The peer's SETTINGS as they were on the wire (a later duplicate wins here; see {@link #peerSettingsList}). */
    public Map<Long, Long> peerSettings(Duration wait) {
        Map<Long, Long> map = new LinkedHashMap<>();
        peerSettingsList(wait).forEach(e -> map.put(e.getKey(), e.getValue()));
        return map;
    }

    /** The peer's SETTINGS in wire order, duplicates included. */
    public List<Map.Entry<Long, Long>> peerSettingsList(Duration wait) {
        try {
            return state.peerSettings.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new PeerException(PeerException.Kind.TIMEOUT, "no SETTINGS within " + wait, null, e);
        } catch (ExecutionException e) {
            throw new PeerException(PeerException.Kind.FAILED, e.getCause().getMessage(), null, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException(PeerException.Kind.FAILED, "interrupted", null, e);
        }
    }

    /** Frames after SETTINGS on the peer's control stream so far (GOAWAY, GREASE, PRIORITY_UPDATE, ...). */
    public List<Frame> peerControlFrames() {
        return List.copyOf(state.peerControlFrames);
    }

    /** Stream types of the unidirectional streams the peer opened so far (0 control, 2/3 QPACK, others). */
    public List<Long> peerUniStreamTypes() {
        return List.copyOf(state.peerUniStreamTypes);
    }

    /**
     * Whether the peer's transport parameters enabled QUIC DATAGRAM: quiche announces it with a
     * {@link QuicDatagramExtensionEvent} at the end of the handshake (the transport-parameter getter misreports it).
     */
    public boolean peerDatagramsEnabled() {
        return state.datagramMaxLength > 0;
    }

    /** The largest DATAGRAM payload quiche will send on this path, or -1 if datagrams are off. */
    public int maxDatagramLength() {
        return state.datagramMaxLength;
    }

    /** Datagrams whose quarter stream id matched no open tunnel (or did not parse). */
    public int unroutedDatagrams() {
        return state.unroutedDatagrams.get();
    }

    // ------------------------------------------------------------------------------------------------ control

    /**
     * Appends a frame to this client's control stream (after Netty's SETTINGS). Netty's codec only writes
     * reserved types, so the frame goes out as raw bytes below it; that also allows PRIORITY_UPDATE (0xF0700).
     */
    public void sendControlFrame(long type, byte[] payload) {
        QuicStreamChannel control = localControlStream();
        await(control.eventLoop().submit(() -> {
            if (control.pipeline().get(Tunnel.RAW_WRITER) == null) {
                control.pipeline().addFirst(Tunnel.RAW_WRITER, new ChannelOutboundHandlerAdapter());
            }
            return null;
        }), options.timeout(), "control stream setup");
        await(control.pipeline().context(Tunnel.RAW_WRITER)
                .writeAndFlush(Unpooled.wrappedBuffer(RawH3.frame(type, payload))), options.timeout(),
                "control frame");
    }

    /**
     * Netty opens the control stream when the connection becomes active, but it is registered (and published) by a
     * later event-loop task; each task submitted here runs after the ones already queued, so this takes a hop or two.
     */
    private QuicStreamChannel localControlStream() {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        while (System.nanoTime() < deadline) {
            QuicStreamChannel control = await(quic.eventLoop().submit(() -> Http3.getLocalControlStream(quic)),
                    options.timeout(), "control stream lookup");
            if (control != null) {
                return control;
            }
            if (!quic.isActive()) {
                break;
            }
        }
        throw new PeerException(PeerException.Kind.FAILED, "no local control stream", null, null);
    }

    /**
     * Opens a unidirectional stream of a reserved type (RFC 9114 §6.2.3), writes a few bytes, and ends it. Bytes and
     * FIN go out in one write: a peer may abort reading as soon as it sees the type (STOP_SENDING with
     * H3_STREAM_CREATION_ERROR, RFC 9114 §6.2), and once that arrived quiche never completes a separate FIN.
     */
    public void openGreaseUniStream() {
        QuicStreamChannel stream = await(quic.createStream(QuicStreamType.UNIDIRECTIONAL,
                new ChannelInboundHandlerAdapter()), options.timeout(), "GREASE stream");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RawH3.writeVarint(bytes, RawH3.grease(7));
        bytes.writeBytes("ignore me".getBytes(StandardCharsets.US_ASCII));
        await(stream.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.wrappedBuffer(bytes.toByteArray()), true)),
                options.timeout(), "GREASE write and FIN");
    }

    // ------------------------------------------------------------------------------------------------ requests

    /**
     * Classic CONNECT (RFC 9114 §4.4): {@code :method CONNECT}, {@code :authority}, no {@code :scheme}/{@code :path}/
     * {@code :protocol}, then {@code extraHeaders}. {@code optimisticData}, if any, follows at once in a DATA frame,
     * without waiting for the response.
     */
    public Tunnel openTcp(String authority, Map<String, String> extraHeaders, byte[] optimisticData) {
        Http3Headers headers = new DefaultHttp3Headers();
        headers.method("CONNECT").authority(authority);
        extraHeaders.forEach((name, value) -> headers.add(name.toLowerCase(Locale.ROOT), value));
        return open(List.of(), new DefaultHttp3HeadersFrame(headers), optimisticData);
    }

    /**
     * RFC 9298 extended CONNECT: {@code :method CONNECT}, {@code :protocol connect-udp}, {@code :scheme https},
     * {@code :authority}, {@code :path}, {@code capsule-protocol: ?1}, then {@code extraHeaders}. Like a real client
     * (RFC 9220 §3) it first waits for the peer's SETTINGS, but sends even if they lack ENABLE_CONNECT_PROTOCOL, so
     * tests can see how the peer answers; {@link #openRaw} sends without waiting.
     */
    public Tunnel openUdp(String authority, String path, Map<String, String> extraHeaders) {
        peerSettingsList(options.timeout());
        Http3Headers headers = new DefaultHttp3Headers();
        headers.method("CONNECT").protocol("connect-udp").scheme("https").authority(authority).path(path);
        headers.add("capsule-protocol", "?1");
        extraHeaders.forEach((name, value) -> headers.add(name.toLowerCase(Locale.ROOT), value));
        return open(List.of(), new DefaultHttp3HeadersFrame(headers), null);
    }

    /**
     * Sends {@code headers} exactly as given (order, case, duplicates, pseudo-headers anywhere) in a literal-only
     * QPACK section, preceded on the stream by {@code framesBeforeHeaders} (complete frames, see
     * {@link RawH3#frame}). Netty would reorder and validate such a header list, so it is encoded by {@link RawH3}
     * and written below Netty's codec; the response is still decoded by Netty.
     */
    public Tunnel openRaw(List<Map.Entry<String, String>> headers, List<byte[]> framesBeforeHeaders) {
        return open(framesBeforeHeaders, RawH3.frame(RawH3.HEADERS, RawH3.qpackLiterals(headers)), null);
    }

    /**
     * A request stream that carries only these bytes and then nothing more, never ending: e.g. the start of a HEADERS
     * frame, which makes an unfinished request (what a client holding the relay's memory would send).
     */
    public Tunnel openUnfinished(byte[] bytes) {
        return open(List.of(bytes), null, null);
    }

    /** A header entry, for {@link #openRaw}. */
    public static Map.Entry<String, String> header(String name, String value) {
        return new AbstractMap.SimpleImmutableEntry<>(name, value);
    }

    /** @param headers a Netty headers frame, or the bytes of a complete HEADERS frame */
    private Tunnel open(List<byte[]> framesBefore, Object headers, byte[] optimisticData) {
        Tunnel tunnel = new Tunnel(this, options.timeout());
        QuicStreamChannel stream = await(Http3.newRequestStream(quic, tunnel.new Handler()), options.timeout(),
                "request stream");
        tunnel.attach(stream);
        state.tunnels.put(stream.streamId(), tunnel);
        stream.closeFuture().addListener(f -> state.tunnels.remove(stream.streamId()));
        // One event-loop task, so the frames leave in exactly this order.
        Future<?> written = stream.eventLoop().submit(() -> {
            List<io.netty.channel.ChannelFuture> writes = new ArrayList<>();
            for (byte[] frame : framesBefore) {
                writes.add(tunnel.rawWrite(Unpooled.wrappedBuffer(frame)));
            }
            if (headers instanceof byte[] raw) {
                writes.add(tunnel.rawWrite(Unpooled.wrappedBuffer(raw)));
            } else if (headers != null) {
                writes.add(stream.writeAndFlush(headers));
            }
            if (optimisticData != null) {
                writes.add(tunnel.rawWrite(Unpooled.wrappedBuffer(
                        RawH3.frameHeader(RawH3.DATA, optimisticData.length), optimisticData)));
            }
            return writes;
        });
        @SuppressWarnings("unchecked")
        List<io.netty.channel.ChannelFuture> writes =
                (List<io.netty.channel.ChannelFuture>) await(written, options.timeout(), "request");
        for (io.netty.channel.ChannelFuture write : writes) {
            await(write, options.timeout(), "request write");
        }
        return tunnel;
    }

    // ------------------------------------------------------------------------------------------------ datagrams

    void sendDatagram(long streamId, long contextId, byte[] payload) {
        ByteArrayOutputStream prefix = new ByteArrayOutputStream(16);
        RawH3.writeVarint(prefix, streamId / 4); // quarter stream id, RFC 9297 §2.1
        RawH3.writeVarint(prefix, contextId);    // context id, RFC 9298 §4
        await(quic.writeAndFlush(Unpooled.wrappedBuffer(prefix.toByteArray(), payload)), options.timeout(),
                "datagram");
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    <T> T await(Future<T> future, Duration timeout, String what) {
        boolean done;
        try {
            done = future.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException(PeerException.Kind.FAILED, "interrupted: " + what, null, e);
        }
        if (!done) {
            throw new PeerException(PeerException.Kind.TIMEOUT, what + " did not complete within " + timeout,
                    null, null);
        }
        if (!future.isSuccess()) {
            throw new PeerException(PeerException.Kind.FAILED, what + " failed: " + future.cause(), null,
                    future.cause());
        }
        return future.getNow();
    }

    @Override
    public void close() {
        try {
            if (quic.isActive()) {
                // H3_NO_ERROR as an application close.
                quic.close(true, 0x100, Unpooled.EMPTY_BUFFER).awaitUninterruptibly(options.timeout().toMillis());
            }
            udp.close().awaitUninterruptibly(options.timeout().toMillis());
        } finally {
            if (group != options.eventLoops()) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(options.timeout().toMillis());
            }
        }
    }
}
