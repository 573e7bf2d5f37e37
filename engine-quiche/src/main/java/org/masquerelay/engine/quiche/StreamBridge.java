package org.masquerelay.engine.quiche;

import org.masquerelay.engine.TcpSplicer;
import org.masquerelay.engine.h3.QuicStreamIo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns one Netty QUIC stream channel (event-driven, on the event loop) into a blocking {@link InputStream} and
 * {@link OutputStream} for virtual threads, with backpressure both ways:
 * <ul>
 *   <li>in: bytes are copied off the event loop into a queue; past {@link #READ_HIGH_WATER} buffered bytes the
 *   channel stops reading from quiche (autoRead off), so quiche stops extending the peer's flow-control window;
 *   reading below {@link #READ_LOW_WATER} turns it back on;</li>
 *   <li>out: each write is one Netty write; a writer blocks while more than {@link #WRITE_HIGH_WATER} bytes are not
 *   yet taken by quiche (which takes only what the peer's flow control allows).</li>
 * </ul>
 * Netty's QUIC stream channels allow half-closure by default (a peer's FIN leaves our sending side open, as a tunnel
 * needs). The end of the peer's data (FIN) is -1; a RESET_STREAM, or the stream or connection closing under the reader, is an
 * IOException. Closing the output sends FIN as {@link EndOfStream} says (behind the queued data, on an empty DATA
 * frame).
 */
final class StreamBridge extends ChannelInboundHandlerAdapter implements QuicStreamIo {
    static final int READ_HIGH_WATER = 512 * 1024;
    static final int READ_LOW_WATER = 128 * 1024;
    static final int WRITE_HIGH_WATER = 512 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private int headOffset;
    private long buffered;
    private boolean readPaused;
    private boolean eof;
    private IOException readFailure;
    private long unwritten;
    private IOException writeFailure;
    private boolean inactive;

    private final QuicStreamChannel channel;
    private final In in = new In();
    private final Out out = new Out();

    StreamBridge(QuicStreamChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    QuicStreamChannel channel() {
        return channel;
    }

    @Override
    public long id() {
        return channel.streamId();
    }

    @Override
    public InputStream in() {
        return in;
    }

    /** Raw QUIC stream bytes out; {@code close()} sends FIN. Callers serialise whole frames themselves. */
    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public void resetOutput(long errorCode) {
        channel.shutdownOutput((int) errorCode); // RESET_STREAM
    }

    @Override
    public void abortInput(long errorCode) {
        channel.shutdownInput((int) errorCode); // STOP_SENDING
        // A reader blocked here would otherwise wait for bytes that will never come (the request-header timeout
        // stops an unfinished request this way): it fails at once, as on Kwik.
        lock.lock();
        try {
            if (!eof && readFailure == null) {
                readFailure = new IOException("reading stopped (STOP_SENDING " + errorCode + ")");
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The bytes and FIN in one stream frame, queued behind anything written before. */
    @Override
    public void writeAndFinish(byte[] bytes) throws IOException {
        out.finishWith(bytes);
    }

    /** A tunnel's bytes move on the event loop: see {@link EventLoopSplicer}. */
    @Override
    public Optional<TcpSplicer> tcpSplicer(long maxDataFrameSize) {
        return Optional.of(new EventLoopSplicer(this, maxDataFrameSize));
    }

    /** What the bridge had received and not yet handed to a reader when a data plane took the stream over. */
    record Leftover(List<byte[]> bytes, boolean eof, IOException failure) {}

    /**
     * Takes this bridge out of the stream's pipeline (on the event loop) and returns what it held: the blocking
     * streams are not to be used afterwards.
     */
    Leftover detach() {
        List<byte[]> bytes = new ArrayList<>();
        boolean ended;
        IOException failed;
        lock.lock();
        try {
            boolean first = true;
            for (byte[] chunk : inbound) {
                int from = first ? headOffset : 0;
                bytes.add(from == 0 ? chunk : java.util.Arrays.copyOfRange(chunk, from, chunk.length));
                first = false;
            }
            inbound.clear();
            headOffset = 0;
            buffered = 0;
            ended = eof;
            failed = readFailure;
        } finally {
            lock.unlock();
        }
        if (channel.pipeline().get(StreamBridge.class) != null) {
            channel.pipeline().remove(this);
        }
        return new Leftover(bytes, ended, failed);
    }

    // ---------------------------------------------------------------- event loop side

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ByteBuf data = msg instanceof ByteBuf b ? b : null;
            if (data == null || !data.isReadable()) {
                return;
            }
            byte[] copy = new byte[data.readableBytes()];
            data.readBytes(copy);
            lock.lock();
            try {
                inbound.add(copy);
                buffered += copy.length;
                if (buffered >= READ_HIGH_WATER && !readPaused) {
                    readPaused = true;
                    ctx.channel().config().setAutoRead(false);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownReadComplete) {
            lock.lock();
            try {
                eof = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        IOException failure = cause instanceof QuicStreamResetException reset
                ? new IOException("stream reset by peer (" + org.masquerelay.wire.H3.errorName(reset.applicationProtocolCode()) + ")", cause)
                : new IOException("stream failed: " + cause, cause);
        lock.lock();
        try {
            if (readFailure == null && !eof) {
                readFailure = failure;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        signal();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        lock.lock();
        try {
            inactive = true;
            if (!eof && readFailure == null) {
                readFailure = new IOException("stream closed before its end (connection closed or stream reset)");
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        ctx.fireChannelInactive();
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- reader side

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            boolean resume = false;
            int n;
            lock.lock();
            try {
                while (inbound.isEmpty() && !eof && readFailure == null) {
                    awaitChange();
                }
                if (inbound.isEmpty()) {
                    if (readFailure != null) {
                        throw new IOException(readFailure.getMessage(), readFailure);
                    }
                    return -1;
                }
                byte[] head = inbound.peek();
                n = Math.min(len, head.length - headOffset);
                System.arraycopy(head, headOffset, b, off, n);
                headOffset += n;
                if (headOffset == head.length) {
                    inbound.poll();
                    headOffset = 0;
                }
                buffered -= n;
                if (readPaused && buffered <= READ_LOW_WATER) {
                    readPaused = false;
                    resume = true;
                }
            } finally {
                lock.unlock();
            }
            if (resume) {
                QuicStreamChannel ch = channel;
                ch.eventLoop().execute(() -> {
                    ch.config().setAutoRead(true);
                    ch.read();
                });
            }
            return n;
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return (int) Math.min(Integer.MAX_VALUE, buffered);
            } finally {
                lock.unlock();
            }
        }
    }

    private void awaitChange() throws InterruptedIOException {
        try {
            changed.await(1, TimeUnit.SECONDS); // bounded only as a guard against a lost signal
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on " + channel);
        }
    }

    // ---------------------------------------------------------------- writer side

    private final class Out extends OutputStream {
        private volatile boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return;
            }
            QuicStreamChannel ch = channel();
            lock.lock();
            try {
                checkWritable();
                while (unwritten > WRITE_HIGH_WATER) {
                    awaitChange();
                    checkWritable();
                }
                unwritten += len;
            } finally {
                lock.unlock();
            }
            ByteBuf buf = ch.alloc().directBuffer(len).writeBytes(b, off, len);
            ch.writeAndFlush(buf).addListener(f -> written(len, f.cause()));
        }

        private void checkWritable() throws IOException {
            if (closed) {
                throw new IOException("stream output already closed");
            }
            if (writeFailure != null) {
                throw new IOException(writeFailure.getMessage(), writeFailure);
            }
            if (inactive) {
                throw new IOException("stream closed (connection closed or stream reset)");
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            channel().writeAndFlush(EndOfStream.frame(channel()));
        }

        void finishWith(byte[] bytes) throws IOException {
            lock.lock();
            try {
                checkWritable();
                closed = true;
            } finally {
                lock.unlock();
            }
            channel().writeAndFlush(bytes.length == 0 ? EndOfStream.frame(channel())
                    : new DefaultQuicStreamFrame(Unpooled.wrappedBuffer(bytes), true));
        }
    }

    private void written(int len, Throwable failure) {
        lock.lock();
        try {
            unwritten -= len;
            if (failure != null && writeFailure == null) {
                writeFailure = new IOException("write failed: " + failure.getMessage(), failure);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
