package org.masquerelay.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes HTTP/3 frames (RFC 9114 §7.1: type, length, payload) to one QUIC stream. Each frame goes out in a single
 * {@code write} call of one buffer, under this object's lock, so frames from concurrent writers never interleave
 * and the QUIC stack receives each frame as one chunk.
 */
public final class FrameWriter {
    private final OutputStream out;
    private final Runnable onClose;

    /** Closing {@link #dataOutputStream()} closes {@code out}. */
    public FrameWriter(OutputStream out) {
        this(out, null);
    }

    /**
     * @param onClose run when {@link #dataOutputStream()} is closed, instead of closing {@code out}; the engine uses
     *                it to send FIN
     */
    public FrameWriter(OutputStream out, Runnable onClose) {
        this.out = Objects.requireNonNull(out, "out");
        this.onClose = onClose;
    }

    public synchronized void writeHeaders(byte[] fieldSection) throws IOException {
        writeFrame(H3.FRAME_HEADERS, fieldSection, 0, fieldSection.length);
    }

    /** One DATA frame, even when len is 0 (an empty DATA frame is legal, RFC 9114 §7.2.1). */
    public synchronized void writeData(byte[] b, int off, int len) throws IOException {
        writeFrame(H3.FRAME_DATA, b, off, len);
    }

    public synchronized void writeFrame(long type, byte[] payload) throws IOException {
        writeFrame(type, payload, 0, payload.length);
    }

    public synchronized void writeFrame(long type, byte[] payload, int off, int len) throws IOException {
        out.write(encodeFrame(type, payload, off, len));
    }

    public synchronized void flush() throws IOException {
        out.flush();
    }

    /** A whole frame as bytes: type, length, payload in one array. */
    public static byte[] encodeFrame(long type, byte[] payload, int off, int len) {
        Objects.checkFromIndexSize(off, len, payload.length);
        int headerLength = VarInt.length(type) + VarInt.length(len);
        byte[] frame = new byte[Math.addExact(headerLength, len)];
        int pos = VarInt.put(type, frame, 0);
        pos = VarInt.put(len, frame, pos);
        System.arraycopy(payload, off, frame, pos, len);
        return frame;
    }

    /**
     * An OutputStream whose every non-empty write becomes one DATA frame (zero-length writes send nothing: an empty
     * DATA frame would carry no information). flush() passes through; close() runs onClose (or closes the
     * underlying stream) once.
     */
    public OutputStream dataOutputStream() {
        return new OutputStream() {
            private volatile boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (closed) {
                    throw new IOException("DATA stream closed");
                }
                if (len > 0) {
                    writeData(b, off, len);
                }
            }

            @Override
            public void flush() throws IOException {
                FrameWriter.this.flush();
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                if (onClose != null) {
                    onClose.run();
                } else {
                    synchronized (FrameWriter.this) {
                        out.close();
                    }
                }
            }
        };
    }

    /** A complete SETTINGS frame (RFC 9114 §7.2.4): identifier/value pairs of variable-length integers. */
    public static byte[] settingsFrame(Map<Long, Long> settings) {
        int length = 0;
        for (Map.Entry<Long, Long> e : settings.entrySet()) {
            length += VarInt.length(e.getKey()) + VarInt.length(e.getValue());
        }
        byte[] payload = new byte[length];
        int pos = 0;
        for (Map.Entry<Long, Long> e : settings.entrySet()) {
            pos = VarInt.put(e.getKey(), payload, pos);
            pos = VarInt.put(e.getValue(), payload, pos);
        }
        return encodeFrame(H3.FRAME_SETTINGS, payload, 0, payload.length);
    }

    /**
     * Parses a SETTINGS payload into identifier → value, in order. Reserved (GREASE) and HTTP/2-only identifiers are
     * returned as they are: the caller ignores the former and rejects the latter (H3_SETTINGS_ERROR, §7.2.4.1).
     *
     * @throws H3StreamException H3_SETTINGS_ERROR for a repeated identifier (§7.2.4: "The same setting identifier
     *                           MUST NOT occur more than once"); H3_FRAME_ERROR for a truncated pair (§7.1)
     */
    public static Map<Long, Long> parseSettings(byte[] payload) throws H3StreamException {
        Map<Long, Long> settings = new LinkedHashMap<>();
        ByteBuffer buf = ByteBuffer.wrap(payload);
        while (buf.hasRemaining()) {
            long id;
            long value;
            try {
                id = VarInt.read(buf);
                value = VarInt.read(buf);
            } catch (BufferUnderflowException e) {
                throw new H3StreamException(H3.H3_FRAME_ERROR, "SETTINGS payload ends inside an identifier/value pair");
            }
            if (settings.putIfAbsent(id, value) != null) {
                throw new H3StreamException(H3.H3_SETTINGS_ERROR,
                        "setting 0x" + Long.toHexString(id) + " appears twice (RFC 9114 §7.2.4)");
            }
        }
        return settings;
    }
}
