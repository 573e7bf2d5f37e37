package org.masquerelay.wire;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Builders and instrumented streams shared by the tests. */
final class TestStreams {
    private TestStreams() {}

    /**
     * Bytes allocated by the current thread while running {@code body} (HotSpot's per-thread counter), to prove that
     * a peer-declared length never sizes an allocation. Exceptions from the body are swallowed: callers assert them
     * separately.
     */
    static long allocatedWhile(org.junit.jupiter.api.function.Executable body) {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        try {
            body.execute();
        } catch (Throwable expected) {
            // the caller checks the outcome separately
        }
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    static byte[] frame(long type, byte[] payload) {
        return concat(VarInt.encode(type), VarInt.encode(payload.length), payload);
    }

    /** A frame header that declares {@code length} without the payload. */
    static byte[] frameHeader(long type, long length) {
        return concat(VarInt.encode(type), VarInt.encode(length));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    static byte[] sequence(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /**
     * Counts single-byte and bulk reads, remembers the largest bulk read requested, and optionally hands out at most
     * {@code chunk} bytes per bulk read (as a network stream would).
     */
    static final class CountingInputStream extends InputStream {
        private final ByteArrayInputStream in;
        private final int chunk;
        int singleReads;
        int bulkReads;
        int largestBulkRequest;
        boolean closed;

        CountingInputStream(byte[] data) {
            this(data, Integer.MAX_VALUE);
        }

        CountingInputStream(byte[] data, int chunk) {
            this.in = new ByteArrayInputStream(data);
            this.chunk = chunk;
        }

        @Override
        public int read() {
            singleReads++;
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            bulkReads++;
            largestBulkRequest = Math.max(largestBulkRequest, len);
            return in.read(b, off, Math.min(len, chunk));
        }

        @Override
        public int available() {
            return in.available();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Records each write call separately, to check that a frame goes out in one call. */
    static final class RecordingOutputStream extends java.io.OutputStream {
        final List<byte[]> writes = new ArrayList<>();
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        int flushes;
        boolean closed;

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
            all.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
