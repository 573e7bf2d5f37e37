package org.masquerelay.testpeers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3UnknownFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.netty.util.ReferenceCountUtil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One HTTP/3 request stream of a {@link NettyH3Client}: a CONNECT tunnel, or whatever {@code openRaw} sent.
 * <p>
 * Inbound frames are decoded by Netty's HTTP/3 codec (QPACK, frame parsing, its validation); the payload of DATA
 * frames is kept as one byte stream, read with {@link #readBytes} or parsed into capsules with {@link #readCapsule}.
 * Everything this side sends after the request HEADERS goes out as raw bytes written below Netty's codec, so tests
 * can send what the codec would refuse (bad frame lengths, frames out of order, capsules split across frames).
 */
public final class Tunnel {
    /** The final (non-1xx) response. Header names are lower case and include {@code :status}. */
    public record Response(int status, Map<String, List<String>> headers) {
        /** The first value of a header, if present. */
        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }
    }

    /** An RFC 9297 capsule as read from the DATA byte stream. */
    public record Capsule(long type, byte[] value) {
    }

    static final String RAW_WRITER = "test-peers-raw-writer";

    private final NettyH3Client client;
    private final Duration writeTimeout;
    private final CompletableFuture<Response> response = new CompletableFuture<>();
    private final LinkedBlockingQueue<byte[]> datagrams = new LinkedBlockingQueue<>();
    private final AtomicInteger unknownFrames = new AtomicInteger();
    private final AtomicInteger droppedDatagrams = new AtomicInteger();

    // The DATA byte stream and how the peer's side of the stream ended, guarded by lock.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private byte[] buffer = new byte[8192];
    private int readIndex;
    private int writeIndex;
    private boolean fin;
    private Long resetCode;
    private Throwable failure;
    private boolean closed;

    private volatile QuicStreamChannel channel;

    Tunnel(NettyH3Client client, Duration writeTimeout) {
        this.client = client;
        this.writeTimeout = writeTimeout;
    }

    void attach(QuicStreamChannel channel) {
        this.channel = channel;
    }

    QuicStreamChannel channel() {
        return channel;
    }

    public long streamId() {
        return channel.streamId();
    }

    public CompletableFuture<Response> response() {
        return response;
    }

    /** Waits for the final response; throws a {@link PeerException} on timeout or if the stream failed first. */
    public Response awaitResponse(Duration timeout) {
        try {
            return response.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new PeerException(PeerException.Kind.TIMEOUT, "no response within " + timeout, null, e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof PeerException p) {
                throw p;
            }
            throw new PeerException(PeerException.Kind.FAILED, "stream failed", null, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException(PeerException.Kind.FAILED, "interrupted", null, e);
        }
    }

    // ------------------------------------------------------------------------------------------------ writing

    /** One DATA frame carrying {@code data}. */
    public void write(byte[] data) {
        writeRaw(Unpooled.wrappedBuffer(RawH3.frameHeader(RawH3.DATA, data.length), data));
    }

    /** Any frame, with a correct length (e.g. a GREASE frame between DATA frames). */
    public void writeRawFrame(long type, byte[] payload) {
        writeRawBytes(RawH3.frame(type, payload));
    }

    /** Arbitrary bytes on the stream, e.g. {@code RawH3.frameHeader(DATA, 1 << 20)} followed by a few bytes. */
    public void writeRawBytes(byte[] bytes) {
        writeRaw(Unpooled.wrappedBuffer(bytes));
    }

    /** One capsule (RFC 9297) in one DATA frame. */
    public void writeCapsule(long type, byte[] value) {
        write(RawH3.capsule(type, value));
    }

    /** One capsule split across two DATA frames after {@code splitAt} bytes of the encoded capsule. */
    public void writeCapsuleSplit(long type, byte[] value, int splitAt) {
        byte[] capsule = RawH3.capsule(type, value);
        if (splitAt <= 0 || splitAt >= capsule.length) {
            throw new IllegalArgumentException("splitAt must be inside the " + capsule.length + "-byte capsule");
        }
        byte[] first = RawH3.frame(RawH3.DATA, Arrays.copyOfRange(capsule, 0, splitAt));
        byte[] second = RawH3.frame(RawH3.DATA, Arrays.copyOfRange(capsule, splitAt, capsule.length));
        // One write so the two frames are not interleaved with anything else.
        writeRaw(Unpooled.wrappedBuffer(first, second));
    }

    /** Ends this side of the stream (FIN). */
    public void shutdownOutput() {
        client.await(channel.shutdownOutput(), writeTimeout, "FIN");
    }

    /** Abandons the stream both ways: RESET_STREAM and STOP_SENDING with H3_REQUEST_CANCELLED (0x10c). */
    public void cancel() {
        cancel(RawH3.H3_REQUEST_CANCELLED);
    }

    public void cancel(long errorCode) {
        // quiche's stream_shutdown: the write side sends RESET_STREAM, the read side STOP_SENDING.
        client.await(channel.shutdown((int) errorCode), writeTimeout, "reset");
    }

    void writeRaw(ByteBuf bytes) {
        client.await(rawWrite(bytes), writeTimeout, "stream write");
    }

    /** Writes below Netty's HTTP/3 codec, straight onto the QUIC stream. Any thread. */
    ChannelFuture rawWrite(ByteBuf bytes) {
        ChannelHandlerContext raw = channel.pipeline().context(RAW_WRITER);
        if (raw == null) {
            bytes.release();
            return channel.newFailedFuture(new IllegalStateException("stream is closed"));
        }
        return raw.writeAndFlush(bytes);
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** Exactly {@code n} bytes of DATA payload; throws {@link PeerException} on timeout, FIN, reset or failure. */
    public byte[] readBytes(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (writeIndex - readIndex < n) {
                ended("wanted " + n + " bytes, have " + (writeIndex - readIndex));
                awaitChange(deadline, "wanted " + n + " bytes, have " + (writeIndex - readIndex));
            }
            return take(n);
        } finally {
            lock.unlock();
        }
    }

    /** All DATA payload until the peer's FIN. */
    public byte[] readToEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!fin) {
                failIfAborted();
                awaitChange(deadline, "no FIN yet, " + (writeIndex - readIndex) + " bytes buffered");
            }
            return take(writeIndex - readIndex);
        } finally {
            lock.unlock();
        }
    }

    /** Whatever DATA payload is buffered now, possibly nothing. */
    public byte[] readAvailable() {
        lock.lock();
        try {
            return take(writeIndex - readIndex);
        } finally {
            lock.unlock();
        }
    }

    /** True once the peer's FIN arrived (unread data may remain); false on timeout, reset or failure. */
    public boolean awaitFin(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!fin) {
                if (resetCode != null || failure != null || closed || !waitUntil(deadline)) {
                    return false;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The error code of the peer's RESET_STREAM, or empty if none came within the timeout (or the stream ended). */
    public Optional<Long> awaitReset(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (resetCode == null) {
                if (closed || !waitUntil(deadline)) {
                    return Optional.empty();
                }
            }
            return Optional.of(resetCode);
        } finally {
            lock.unlock();
        }
    }

    /** The next capsule from the DATA byte stream, however it was split across DATA frames. */
    public Capsule readCapsule(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            for (;;) {
                Capsule capsule = tryParseCapsule();
                if (capsule != null) {
                    return capsule;
                }
                ended("incomplete capsule, " + (writeIndex - readIndex) + " bytes buffered");
                awaitChange(deadline, "no complete capsule, " + (writeIndex - readIndex) + " bytes buffered");
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many frames of reserved/unknown types Netty passed up on this stream (GREASE from the peer). */
    public int unknownFramesReceived() {
        return unknownFrames.get();
    }

    private Capsule tryParseCapsule() {
        int p = readIndex;
        long[] type = varintAt(p);
        if (type == null) {
            return null;
        }
        p += (int) type[1];
        long[] length = varintAt(p);
        if (length == null) {
            return null;
        }
        p += (int) length[1];
        if (writeIndex - p < length[0]) {
            return null;
        }
        byte[] value = Arrays.copyOfRange(buffer, p, p + (int) length[0]);
        readIndex = p + (int) length[0];
        return new Capsule(type[0], value);
    }

    /** {value, encodedLength} of the varint at p in the buffer, or null if it is not all there yet. */
    private long[] varintAt(int p) {
        if (p >= writeIndex) {
            return null;
        }
        int len = RawH3.varintLength(buffer[p]);
        return writeIndex - p < len ? null : new long[] {RawH3.readVarint(buffer, p), len};
    }

    private byte[] take(int n) {
        byte[] out = Arrays.copyOfRange(buffer, readIndex, readIndex + n);
        readIndex += n;
        return out;
    }

    /** Throws if no more bytes can come. Caller holds the lock. */
    private void ended(String what) {
        failIfAborted();
        if (fin) {
            throw new PeerException(PeerException.Kind.EOF, "FIN received: " + what, null, null);
        }
    }

    private void failIfAborted() {
        if (resetCode != null) {
            throw new PeerException(PeerException.Kind.RESET,
                    "stream reset by peer with 0x" + Long.toHexString(resetCode), resetCode, null);
        }
        if (failure != null) {
            throw new PeerException(PeerException.Kind.FAILED, "stream failed: " + failure, null, failure);
        }
        if (closed && !fin) {
            throw new PeerException(PeerException.Kind.FAILED, "stream closed without FIN", null, null);
        }
    }

    private void awaitChange(long deadline, String what) {
        if (!waitUntil(deadline)) {
            throw new PeerException(PeerException.Kind.TIMEOUT, "timed out: " + what, null, null);
        }
    }

    /** Waits for a state change; false once the deadline passed. Caller holds the lock. */
    private boolean waitUntil(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            changed.awaitNanos(left);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException(PeerException.Kind.FAILED, "interrupted", null, e);
        }
    }

    private void update(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void append(ByteBuf data) {
        int n = data.readableBytes();
        update(() -> {
            if (writeIndex + n > buffer.length) {
                // Compact, then grow if still needed.
                int live = writeIndex - readIndex;
                byte[] target = live + n > buffer.length ? new byte[Math.max(buffer.length * 2, live + n)] : buffer;
                System.arraycopy(buffer, readIndex, target, 0, live);
                buffer = target;
                readIndex = 0;
                writeIndex = live;
            }
            data.readBytes(buffer, writeIndex, n);
            writeIndex += n;
        });
    }

    // ------------------------------------------------------------------------------------------------ datagrams

    /** An HTTP datagram (RFC 9297 §2.1) in a QUIC DATAGRAM: quarter stream id, context id, payload. */
    public void sendDatagram(long contextId, byte[] payload) {
        client.sendDatagram(streamId(), contextId, payload);
    }

    /** The payload of the next context-0 HTTP datagram for this stream; throws {@link PeerException} on timeout. */
    public byte[] receiveDatagram(Duration timeout) {
        return pollDatagram(timeout).orElseThrow(() -> new PeerException(PeerException.Kind.TIMEOUT,
                "no datagram within " + timeout, null, null));
    }

    /** Like {@link #receiveDatagram} but empty on timeout, for asserting that nothing arrives. */
    public Optional<byte[]> pollDatagram(Duration timeout) {
        try {
            return Optional.ofNullable(datagrams.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException(PeerException.Kind.FAILED, "interrupted", null, e);
        }
    }

    /** Datagrams for this stream with a context id other than 0, which this client does not use. */
    public int datagramsWithOtherContext() {
        return droppedDatagrams.get();
    }

    void deliverDatagram(long contextId, byte[] payload) {
        if (contextId == 0) {
            datagrams.add(payload);
        } else {
            droppedDatagrams.incrementAndGet();
        }
    }

    // ------------------------------------------------------------------------------------------------ Netty side

    /** The last handler of the request stream's pipeline, after Netty's codec and validators. */
    final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // Raw writes start here, at the head end of the pipeline, so they bypass the HTTP/3 codec.
            ctx.pipeline().addFirst(RAW_WRITER, new ChannelOutboundHandlerAdapter());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http3HeadersFrame headers) {
                    onHeaders(headers);
                } else if (msg instanceof Http3DataFrame data) {
                    append(data.content());
                } else if (msg instanceof Http3UnknownFrame) {
                    unknownFrames.incrementAndGet();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownReadComplete.INSTANCE) {
                update(() -> fin = true);
                response.completeExceptionally(
                        new PeerException(PeerException.Kind.EOF, "FIN before a final response", null, null));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            PeerException failed;
            if (cause instanceof QuicStreamResetException reset) {
                update(() -> resetCode = reset.applicationProtocolCode());
                failed = new PeerException(PeerException.Kind.RESET, "stream reset by peer with 0x"
                        + Long.toHexString(reset.applicationProtocolCode()), reset.applicationProtocolCode(), cause);
            } else {
                update(() -> failure = cause);
                failed = new PeerException(PeerException.Kind.FAILED, "stream failed: " + cause, null, cause);
            }
            response.completeExceptionally(failed);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            update(() -> closed = true);
            response.completeExceptionally(
                    new PeerException(PeerException.Kind.FAILED, "stream closed before a response", null, null));
            ctx.fireChannelInactive();
        }
    }

    private void onHeaders(Http3HeadersFrame frame) {
        CharSequence statusText = frame.headers().status();
        int status = statusText == null ? -1 : Integer.parseInt(statusText.toString());
        if (status >= 100 && status < 200) {
            return; // interim response
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        frame.headers().forEach(e -> headers
                .computeIfAbsent(e.getKey().toString().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(e.getValue().toString()));
        // A second HEADERS (trailers) does not change the already completed response.
        response.complete(new Response(status, headers));
    }

    @Override
    public String toString() {
        QuicStreamChannel ch = channel;
        return "Tunnel[stream " + (ch == null ? "?" : ch.streamId()) + "]";
    }
}
