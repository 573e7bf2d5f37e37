package org.masquerelay.engine.kwik;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Works around Kwik 0.10.8 leaving a stray interrupt on a writer's thread (docs/upstream.md, "stray interrupt").
 *
 * <p>When the peer sends STOP_SENDING, Kwik resets the stream, empties its send buffer and wakes a writer blocked on
 * the full buffer twice: a signal, and an interrupt of its thread ({@code SendBuffer.interruptBlockedWriter}). The
 * signal usually wins, the write returns normally (into a buffer nobody will send), and the interrupt lands on a
 * thread that has moved on — or {@code SendBuffer.write} notices it with {@code isInterrupted()}, which does not clear
 * it, and fails with "output stream is reset". Either way the caller's next blocking call fails: a client reading the
 * relay's 403 right after its optimistic data was stopped got "interrupted" instead of the 403, and Kwik's next
 * {@code createStream} threw a bare RuntimeException. That interrupt was Kwik's wake-up, not a request to stop, so
 * it is cleared: after a write or flush entered without one, and after one Kwik failed because the stream was reset or
 * closed. A thread interrupted before the call keeps its flag.
 */
final class StrayInterruptGuard extends FilterOutputStream {

    StrayInterruptGuard(OutputStream kwikOut) {
        super(kwikOut);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        boolean interruptedBefore = Thread.currentThread().isInterrupted();
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw failed(e, interruptedBefore);
        }
        clearStray(interruptedBefore);
    }

    @Override
    public void flush() throws IOException {
        boolean interruptedBefore = Thread.currentThread().isInterrupted();
        try {
            out.flush();
        } catch (IOException e) {
            throw failed(e, interruptedBefore);
        }
        clearStray(interruptedBefore);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private static IOException failed(IOException e, boolean interruptedBefore) {
        String message = String.valueOf(e.getMessage());
        if (message.endsWith("is reset") || message.endsWith("is closed")) {
            clearStray(interruptedBefore);
        }
        return e;
    }

    private static void clearStray(boolean interruptedBefore) {
        if (!interruptedBefore) {
            Thread.interrupted();
        }
    }

    /**
     * The same on the reading side: Kwik interrupts a reader blocked on a stream that is reset or whose connection
     * ends ({@code StreamInputStreamImpl.interruptBlockingReader}), and the flag outlived the failed read: a client
     * whose relay drained or died found its next blocking call (any, not Kwik's) failing with InterruptedException
     * (FailoverTest, the Kwik relay's drain). Cleared after a read entered without one.
     */
    static final class Reads extends java.io.FilterInputStream {
        Reads(java.io.InputStream kwikIn) {
            super(kwikIn);
        }

        @Override
        public int read() throws IOException {
            boolean interruptedBefore = Thread.currentThread().isInterrupted();
            try {
                return in.read();
            } finally {
                clearStray(interruptedBefore);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            boolean interruptedBefore = Thread.currentThread().isInterrupted();
            try {
                return in.read(b, off, len);
            } finally {
                clearStray(interruptedBefore);
            }
        }
    }
}
