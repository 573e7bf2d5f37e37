package org.masquerelay.engine.h3;


import org.masquerelay.engine.RequestStream;
import org.masquerelay.engine.TunnelMeter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.H3StreamException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Copies bytes between a CONNECT stream and a TCP connection (RFC 9114 §4.4), one virtual thread per direction: the
 * data plane of engines with blocking streams ({@link SocketSplicer}).
 * A FIN becomes a TCP half-close and back; a TCP reset becomes RESET_STREAM H3_CONNECT_ERROR, and a reset stream
 * aborts the TCP connection. Bytes the client sent before the 200 (optimistic data) are simply still in the stream.
 */
public final class SocketSplice {
    /** Per direction. Small enough that an idle tunnel costs little, large enough for a full DATA frame per read. */
    static final int BUFFER_SIZE = 16 * 1024;

    private final RequestStream stream;
    private final Socket socket;
    private final Duration idleTimeout;
    private final TunnelMeter record;
    private volatile long lastActivityNanos = System.nanoTime();

    SocketSplice(RequestStream stream, Socket socket, Duration idleTimeout, TunnelMeter record) {
        this.stream = stream;
        this.socket = socket;
        this.idleTimeout = idleTimeout;
        this.record = record;
    }

    /** Runs until both directions have ended; closes the socket. */
    public void run() {
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, idleTimeout.toMillis())));
        } catch (IOException e) {
            record.ended("socket error: " + e.getMessage());
        }
        Thread up = Thread.ofVirtual().name("tunnel-up-" + stream.streamId()).start(this::clientToTarget);
        targetToClient();
        try {
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly();
        }
    }

    private void clientToTarget() {
        byte[] buffer = new byte[BUFFER_SIZE];
        InputStream in = stream.body();
        try {
            OutputStream out = socket.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                record.up(n);
                lastActivityNanos = System.nanoTime();
            }
            // The client's FIN: half-close towards the target, keep reading its answer.
            socket.shutdownOutput();
        } catch (IOException e) {
            if (socket.isClosed()) {
                return;
            }
            // The client reset or cancelled the stream, or wrote bad framing: abort the TCP connection (RST).
            record.ended("client ended the stream: " + e.getMessage());
            abortSocket();
            if (e instanceof H3StreamException framing) {
                // Our reader found a stream error (a DATA frame over the cap, a forbidden frame type): report
                // that code, as RFC 9114 §8 asks, rather than blaming the target with H3_CONNECT_ERROR.
                stream.stopSending(framing.errorCode());
                stream.reset(framing.errorCode());
            } else {
                stream.reset(H3.H3_CONNECT_ERROR);
            }
        }
    }

    private void targetToClient() {
        byte[] buffer = new byte[BUFFER_SIZE];
        OutputStream out = stream.bodyOut();
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException quiet) {
                    if (System.nanoTime() - lastActivityNanos < idleTimeout.toNanos()) {
                        continue;  // the other direction is busy
                    }
                    record.ended("idle for " + idleTimeout.toSeconds() + " s");
                    abortSocket();
                    stream.stopSending(H3.H3_NO_ERROR);
                    stream.reset(H3.H3_CONNECT_ERROR);
                    return;
                }
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                record.down(n);
                lastActivityNanos = System.nanoTime();
            }
            // The target's FIN: end our side of the stream; the client may still send.
            stream.finish();
            record.ended("target closed");
        } catch (IOException e) {
            if (socket.isClosed()) {
                return;  // the other direction aborted the tunnel
            }
            // A TCP reset from the target, or the stream was reset under us.
            record.ended("target reset: " + e.getMessage());
            stream.stopSending(H3.H3_CONNECT_ERROR);
            stream.reset(H3.H3_CONNECT_ERROR);
            abortSocket();
        }
    }

    private void abortSocket() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // Already closed.
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
    }
}
