package org.masquerelay.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Small stream helpers shared by the frame and capsule readers. */
final class StreamIo {
    private StreamIo() {}

    private static final int SKIP_CHUNK = 8192;

    /**
     * Consumes exactly n bytes without keeping them, with bulk reads into a small fixed scratch buffer, so a
     * peer-declared length never sizes an allocation. {@code skip()} is not used: some streams (files) skip past
     * the end without telling, which would hide a truncated frame. EOFException if the stream ends first.
     */
    static void skipFully(InputStream in, long n) throws IOException {
        if (n <= 0) {
            return;
        }
        byte[] scratch = new byte[(int) Math.min(SKIP_CHUNK, n)];
        while (n > 0) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, n));
            if (r < 0) {
                throw new EOFException(n + " bytes missing at end of stream");
            }
            n -= r;
        }
    }

    /** Reads exactly n bytes (n already checked against a cap by the caller); EOFException if the stream ends first. */
    static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException((n - b.length) + " bytes missing at end of stream");
        }
        return b;
    }
}
