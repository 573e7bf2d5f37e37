package org.masquerelay.engine.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body as a blocking {@link InputStream} for the relay's virtual threads, fed on the event loop. When more
 * than {@link #HIGH_WATER} bytes wait unread the channel stops reading (autoRead off) until the reader has taken them
 * down to {@link #LOW_WATER}, so a slow reader holds back the client: over HTTP/2 the stream's flow-control window
 * is not opened again (Netty's child channel returns credit only for frames it has delivered), over HTTP/1.1 the
 * socket is not read.
 */
final class Inbound extends InputStream {
    static final int HIGH_WATER = 256 * 1024;
    static final int LOW_WATER = 64 * 1024;

    private final Channel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
    private long queued;
    private boolean paused;
    private boolean ended;
    private IOException failure;

    Inbound(Channel channel) {
        this.channel = channel;
    }

    /** Event loop: bytes of the body (the buffer is retained here and released once read). */
    void data(ByteBuf bytes) {
        lock.lock();
        try {
            if (ended || failure != null || !bytes.isReadable()) {
                return;
            }
            chunks.add(bytes.retain());
            queued += bytes.readableBytes();
            if (queued > HIGH_WATER && !paused) {
                paused = true;
                channel.config().setAutoRead(false);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The client ended its side cleanly (END_STREAM, TLS close_notify or FIN). */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The body can no longer be read: a reset stream, a closed connection, or our own stop. Idempotent. */
    void fail(IOException why) {
        lock.lock();
        try {
            if (ended) {
                return;  // a clean end already: what is left is the client's last bytes, still to be read
            }
            if (failure == null) {
                failure = why;
            }
            chunks.forEach(ByteBuf::release);
            chunks.clear();
            queued = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean ended() {
        lock.lock();
        try {
            return ended && chunks.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        boolean resume = false;
        int n;
        lock.lock();
        try {
            while (chunks.isEmpty()) {
                if (failure != null) {
                    throw failure;
                }
                if (ended) {
                    return -1;
                }
                changed.awaitUninterruptibly();
            }
            ByteBuf first = chunks.peekFirst();
            n = Math.min(length, first.readableBytes());
            first.readBytes(buffer, offset, n);
            if (!first.isReadable()) {
                chunks.pollFirst().release();
            }
            queued -= n;
            if (paused && queued < LOW_WATER) {
                paused = false;
                resume = true;
            }
        } finally {
            lock.unlock();
        }
        if (resume) {
            channel.config().setAutoRead(true);
        }
        return n;
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return chunks.isEmpty() ? 0 : chunks.peekFirst().readableBytes();
        } finally {
            lock.unlock();
        }
    }
}
