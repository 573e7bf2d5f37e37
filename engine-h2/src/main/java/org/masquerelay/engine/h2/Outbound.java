package org.masquerelay.engine.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A client request's body as a blocking {@link OutputStream} for the caller's (virtual) thread: a write waits while
 * the channel is not writable — for an HTTP/2 stream that includes its flow-control window, so a relay (or target)
 * that reads slowly holds the writer back — and until the stream {@link #open opens} for bytes (HTTP/1.1 sends none
 * before the relay's answer). The event loop wakes writers on writability changes and on the stream's end.
 */
final class Outbound extends OutputStream {
    /** Signals are not lost, but a slice bounds a wait whose wake-up raced a change of state. */
    private static final long WAIT_SLICE_MILLIS = 100;

    private final Channel channel;
    private final Function<ByteBuf, Object> frame;
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean open;
    private volatile boolean finished;
    private volatile IOException failure;
    private volatile Finisher finisher;

    /** What {@link #close()} does: end our side (the stream's finish). */
    @FunctionalInterface
    interface Finisher {
        void finish() throws IOException;
    }

    /**
     * @param frame how body bytes are written: a DATA frame, or the bytes as they are
     * @param open  whether bytes may go before {@link #open()} is called (HTTP/2: optimistic data)
     */
    Outbound(Channel channel, Function<ByteBuf, Object> frame, String name, boolean open) {
        this.channel = channel;
        this.frame = frame;
        this.name = name;
        this.open = open;
    }

    /** Bytes may go from now on. */
    void open() {
        open = true;
        wake();
    }

    /** No more bytes: the stream ended, was reset or refused. Idempotent; the first reason stays. */
    void fail(IOException why) {
        if (failure == null) {
            failure = why;
        }
        wake();
    }

    /** Our side ended cleanly: later writes fail. */
    void finished() {
        finished = true;
        wake();
    }

    boolean isFinished() {
        return finished;
    }

    /** Event loop: writability or the stream's state changed. */
    void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until bytes may go; throws the stream's failure otherwise. */
    void awaitOpen() throws IOException {
        waitFor(false);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return;
        }
        waitFor(true);
        channel.writeAndFlush(frame.apply(Unpooled.copiedBuffer(bytes, offset, length))).addListener(f -> {
            if (!f.isSuccess()) {
                fail(new IOException(name + ": " + f.cause().getMessage(), f.cause()));
            }
        });
    }

    /** Closing the body ends our side cleanly, as the stream's finish() does. */
    @Override
    public void close() throws IOException {
        if (finisher != null) {
            finisher.finish();
        }
    }

    void onClose(Finisher finisher) {
        this.finisher = finisher;
    }

    private void waitFor(boolean writable) throws IOException {
        lock.lock();
        try {
            while (true) {
                if (failure != null) {
                    throw failure;
                }
                if (finished && writable) {
                    throw new IOException(name + ": our side has ended");
                }
                if (!channel.isActive()) {
                    throw new IOException(name + " is closed");
                }
                if (open && (!writable || channel.isWritable())) {
                    return;
                }
                changed.await(WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to write on " + name);
        } finally {
            lock.unlock();
        }
    }
}
