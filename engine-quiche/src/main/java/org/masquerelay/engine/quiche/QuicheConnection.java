package org.masquerelay.engine.quiche;

import org.masquerelay.engine.h3.H3ConnectionBase;
import org.masquerelay.engine.h3.Qpack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import io.netty.handler.codec.quic.QuicPathEvent;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.AttributeKey;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.VarInt;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * {@link HttpConnection} over a Netty/quiche {@link QuicChannel}, shared by the server and client sides: our control
 * stream, the peer's unidirectional streams, datagrams, peer SETTINGS, close notification, the peer certificate.
 * HTTP/3 itself is the wire module's codec on raw QUIC streams, exactly as in the Kwik engine.
 */
abstract class QuicheConnection extends H3ConnectionBase {
    private static final System.Logger LOG = System.getLogger(QuicheConnection.class.getName());
    static final AttributeKey<QuicheConnection> KEY = AttributeKey.valueOf("masque-relay.h3-connection");

    /** Datagrams handed to the event loop and not yet taken by quiche; more are dropped (never block). */
    private static final int MAX_PENDING_DATAGRAMS = 1024;
    protected final QuicChannel quic;
    protected final Qpack qpack = new Qpack();
    protected final int maxFieldSectionSize;
    protected final long maxDataFrameSize;
    private final AtomicInteger pendingDatagrams = new AtomicInteger();
    private volatile int datagramMaxLength;
    /** UDP payload size we send and accept; see the codec builders. */
    static final int MAX_UDP_PAYLOAD = 1350;

    /**
     * qlog of every connection (one file each) into the directory named by {@code -Dmasquerelay.quiche.qlog=DIR}, for
     * the relay and the client alike (a lab runs both with one JVM option): what showed quiche dropping a FIN
     * (EndOfStream) and a rebinding client's path validation failing. Off (null) unless asked for: a write per event.
     */
    static io.netty.handler.codec.quic.QLogConfiguration qlog(String title) {
        String dir = System.getProperty("masquerelay.quiche.qlog");
        return dir == null ? null : new io.netty.handler.codec.quic.QLogConfiguration(dir, title, "masquerelay");
    }
    private volatile String peerCloseDetail;
    /** Set when the handshake completed; a connection that closes without it failed its TLS handshake. */
    private volatile boolean handshakeDone;
    private volatile String handshakeFailure;
    /** The TLS alert that closed the connection, by name (metrics label: a closed set); null if none. */
    private volatile String tlsAlert;
    /** The peer as last seen while open: a closed channel no longer knows it. */
    private volatile java.net.SocketAddress peerSeen;
    /**
     * The peer's new address while quiche validates it (it moved: NAT rebinding or migration), with the address it
     * came from. quiche closes the connection when its challenges go unanswered through three probe timeouts (with no
     * CONNECTION_CLOSE, or with PROTOCOL_VIOLATION), and a quiche client drops its PATH_RESPONSE while its congestion
     * window is full (docs/upstream.md). Kept so that such an end is logged as what it is, not as "connection closed".
     */
    private volatile InetSocketAddress movedTo;
    /** The last address validated: the handshake's, then each new one that answered. */
    private volatile java.net.SocketAddress movedFrom;
    private volatile QuicStreamChannel controlStream;
    /** Request streams the peer opened that are still open: a shutdown stops their sending first. */
    private final Set<QuicStreamChannel> requestStreams = ConcurrentHashMap.newKeySet();
    /** Bounds of the pause between stopping the streams and closing, in which the peer acknowledges what is in flight. */
    private static final long MIN_DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long MAX_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    QuicheConnection(QuicChannel quic, int maxFieldSectionSize, long maxDataFrameSize, int pendingDatagrams) {
        super(pendingDatagrams);
        this.quic = quic;
        this.maxFieldSectionSize = maxFieldSectionSize;
        this.maxDataFrameSize = maxDataFrameSize;
        quic.attr(KEY).set(this);
        // A channel that never became active gets no channelInactive: its close is the only sign of a failed handshake.
        quic.closeFuture().addListener(f -> {
            if (!handshakeDone) {
                // An operator needs to see these: a client that does not trust the certificate, or one without the
                // client certificate mutual TLS asks for, never gets as far as a request.
                String why = peerCloseDetail != null ? peerCloseDetail : handshakeFailure != null ? handshakeFailure
                        : quic.isTimedOut() ? "no answer (timed out)" : "closed before it completed";
                LOG.log(INFO, "{0}: TLS handshake failed: {1}", peerSeen, why);
                String alert = tlsAlert;
                handshakeFailed(alert != null ? alert : quic.isTimedOut() ? "timeout"
                        : handshakeFailure != null ? "tls_error" : "closed");
            }
        });
    }

    /** Called once when the TLS handshake failed; {@code reason}: a TLS alert's name, "timeout", "tls_error" or "closed". */
    void handshakeFailed(String reason) {
    }

    /** The handler for the QUIC channel's pipeline: datagrams, extension and close events. */
    ChannelInboundHandlerAdapter events() {
        return new Events();
    }

    /** Called on the event loop when the peer allowed more streams (MAX_STREAMS). */
    void streamLimitChanged() {
    }

    /** Called on the event loop once the handshake is complete. */
    void active() {
    }

    // ------------------------------------------------------------------------------------------ control stream

    /** Opens our control stream and sends SETTINGS (RFC 9114 §6.2.1); the stream is never closed. */
    io.netty.util.concurrent.Future<QuicStreamChannel> startControlStream(Map<Long, Long> settings) {
        byte[] type = VarInt.encode(H3.STREAM_CONTROL);
        byte[] frame = FrameWriter.settingsFrame(settings);
        return quic.createStream(QuicStreamType.UNIDIRECTIONAL, new ChannelInboundHandlerAdapter())
                .addListener(f -> {
                    if (f.isSuccess()) {
                        controlStream = (QuicStreamChannel) f.getNow();
                        controlStream.writeAndFlush(Unpooled.wrappedBuffer(type, frame));
                        controlStreamReady();
                    } else if (quic.isActive()) {
                        LOG.log(WARNING, "{0}: cannot open the control stream: {1}", remoteAddress(), f.cause());
                        close(H3.H3_INTERNAL_ERROR, "cannot open the control stream");
                    }
                });
    }

    /** A frame of a reserved type (0x21), empty: ignored by the peer, acknowledged all the same. */
    private static final byte[] KEEP_ALIVE_FRAME = {0x21, 0x00};

    @Override
    public void keepAlive() {
        if (isOpen()) {
            try {
                writeControl(KEEP_ALIVE_FRAME);
            } catch (IOException notOpenYet) {
                // before SETTINGS went out there is nothing to keep alive yet
            }
        }
    }

    /** Appends one frame to our control stream (after SETTINGS); one write, so frames never interleave. */
    @Override
    protected void writeControl(byte[] bytes) throws IOException {
        QuicStreamChannel control = controlStream;
        if (control == null) {
            throw new IOException("the control stream is not open (yet)");
        }
        control.writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }

    // ------------------------------------------------------------------------------------------ peer streams

    /** A stream the peer opened (on the event loop): a bridge goes in its pipeline, a virtual thread reads it. */
    final void peerStreamOpened(QuicStreamChannel stream) {
        StreamBridge bridge = new StreamBridge(stream);
        stream.pipeline().addLast(bridge);
        if (stream.type() == QuicStreamType.UNIDIRECTIONAL) {
            Thread.ofVirtual().name("h3-uni-" + stream.streamId()).start(() -> readUnidirectional(bridge.in(), bridge::abortInput, stream.streamId()));
        } else {
            requestStreams.add(stream);
            stream.closeFuture().addListener(f -> requestStreams.remove(stream));
            Thread.ofVirtual().name("h3-stream-" + stream.streamId()).start(() -> bidirectionalStreamOpened(bridge));
        }
    }

    /** A request stream the peer opened: the server serves it, the client refuses it. */
    abstract void bidirectionalStreamOpened(StreamBridge bridge);

    // ------------------------------------------------------------------------------------------ datagrams

    @Override
    public boolean datagramsEnabled() {
        if (datagramMaxLength <= 0) {
            return false;
        }
        return settingsAllowDatagrams();
    }

    @Override
    public int maxDatagramSize() {
        return Math.max(datagramMaxLength, 0);
    }

    @Override
    protected boolean sendQuicDatagram(byte[] datagram) {
        int max = datagramMaxLength;
        if (!isOpen() || max <= 0 || datagram.length > max || !quic.isActive()) {
            return false;
        }
        if (pendingDatagrams.incrementAndGet() > MAX_PENDING_DATAGRAMS) {
            pendingDatagrams.decrementAndGet();
            return false;
        }
        quic.writeAndFlush(Unpooled.wrappedBuffer(datagram)).addListener(f -> pendingDatagrams.decrementAndGet());
        return true;
    }

    // ------------------------------------------------------------------------------------------ the rest

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) quic.remoteSocketAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) quic.localSocketAddress();
    }

    @Override
    public Optional<X509Certificate> peerCertificate() {
        try {
            Certificate[] chain = quic.sslEngine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? Optional.of(x) : Optional.empty();
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Why quiche closed the connection (the peer's or our CONNECTION_CLOSE, a TLS alert), if known. */
    String closeDetail() {
        return peerCloseDetail;
    }

    @Override
    public void close(long h3ErrorCode, String reason) {
        if (quic.isActive()) {
            quic.close(true, (int) h3ErrorCode, Unpooled.copiedBuffer(reason, StandardCharsets.UTF_8));
        }
        closed("closed locally: " + reason);
    }

    /**
     * Closes so that the peer hears it in the middle of a transfer too (relay shutdown). quiche packs CONNECTION_CLOSE
     * only into room left in the congestion window, and Netty frees the connection after that one send: with a
     * download filling the window, the close was never sent and clients found out at their idle timeout (interop
     * case K on this engine: 3 of 4 clients, every run). So every request stream's sending stops first (RESET_STREAM,
     * H3_REQUEST_CANCELLED: quiche drops what it holds for it and sends nothing new), the peer gets three round trips
     * (20 ms to 1 s) to acknowledge what is in flight, and then the connection closes. Completes once closed.
     */
    CompletableFuture<Void> shutdown(long h3ErrorCode, String reason) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!quic.isActive()) {
            close(h3ErrorCode, reason);
            done.complete(null);
            return done;
        }
        quic.eventLoop().execute(() -> {
            for (QuicStreamChannel stream : List.copyOf(requestStreams)) {
                stream.shutdownOutput((int) H3.H3_REQUEST_CANCELLED);
            }
            quic.collectPathStats(0).addListener(stats -> {
                long rtt = stats.isSuccess() ? ((QuicConnectionPathStats) stats.getNow()).rtt() : 0;
                long drain = Math.clamp(3 * rtt, MIN_DRAIN_NANOS, MAX_DRAIN_NANOS);
                quic.eventLoop().schedule(() -> {
                    close(h3ErrorCode, reason);
                    done.complete(null);
                }, drain, TimeUnit.NANOSECONDS);
            });
        });
        return done;
    }

    @Override
    public String toString() {
        return "HTTP/3 connection with " + remoteAddress();
    }

    static String describe(QuicConnectionCloseEvent close) {
        String reason;
        try {
            reason = new String(close.reason(), StandardCharsets.UTF_8);
        } catch (NullPointerException noReason) {
            reason = ""; // Netty 4.2.18's reason() clones a null array when the close carried no reason
        }
        String what;
        if (close.isTlsError()) {
            int alert = QuicConnectionCloseEvent.extractTlsError(close.error());
            what = "TLS alert " + alert + " (" + TlsAlerts.name(alert) + ")";
        } else if (close.isApplicationClose()) {
            what = H3.errorName(close.error());
        } else {
            what = "transport error 0x" + Integer.toHexString(close.error());
        }
        return reason.isEmpty() ? what : what + ": " + reason;
    }

    /** On the QUIC channel's pipeline. */
    private final class Events extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            handshakeDone = true;
            movedFrom = quic.remoteSocketAddress();
            active();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf datagram) {
                byte[] bytes;
                try {
                    bytes = ByteBufUtil.getBytes(datagram);
                } finally {
                    datagram.release();
                }
                try {
                    datagramExecutor().execute(() -> datagramReceived(bytes));
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    // The connection is closing.
                }
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (quic.remoteSocketAddress() != null) {
                peerSeen = quic.remoteSocketAddress();
            }
            if (evt instanceof QuicDatagramExtensionEvent datagrams) {
                datagramMaxLength = datagrams.maxLength();
            } else if (evt instanceof QuicPathEvent.New path) {
                movedTo = path.remote();
            } else if (evt instanceof QuicPathEvent.Validated path) {
                movedFrom = path.remote();
                if (path.remote().equals(movedTo)) {
                    movedTo = null;
                }
            } else if (evt instanceof QuicConnectionCloseEvent close) {
                peerCloseDetail = describe(close);
                if (close.isTlsError()) {
                    int alert = QuicConnectionCloseEvent.extractTlsError(close.error());
                    String name = TlsAlerts.name(alert);
                    tlsAlert = name.startsWith("alert ") ? "tls_alert_other" : name;
                }
            } else if (evt instanceof io.netty.handler.codec.quic.QuicStreamLimitChangedEvent) {
                streamLimitChanged();
            } else if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
                handshakeFailure = hs.cause() == null ? null : hs.cause().getMessage();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            String detail = peerCloseDetail;
            InetSocketAddress unanswered = movedTo;
            String reason = quic.isTimedOut() ? "idle timeout" : detail != null ? "connection closed: " + detail
                    : unanswered != null ? "connection closed: the peer moved to " + unanswered
                            + " and did not answer path validation" : "connection closed";
            if (!quic.isTimedOut() && detail == null && unanswered != null) {
                // an operator's answer to "why did that client drop?"; the client itself often learns nothing until
                // its idle timeout
                LOG.log(INFO, "QUIC connection with {0} closed: it moved to {1} and did not answer path validation",
                        movedFrom, unanswered);
            }
            closed(reason);
            streamLimitChanged(); // waiters for stream credit see the close
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(DEBUG, "{0}: {1}", remoteAddress(), cause.toString());
        }
    }
}
