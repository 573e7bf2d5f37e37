package org.masquerelay.interop.matrix;

import org.eclipse.jetty.http3.api.Session;
import org.eclipse.jetty.http3.api.Stream;
import org.eclipse.jetty.http3.frames.DataFrame;
import org.eclipse.jetty.http3.frames.HeadersFrame;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Jetty adapter's reader never turns a failed stream into a clean end. When the peer closes the connection, Jetty
 * fails each stream (onFailure) and then disconnects it without a cause, after which read() returns a plain EOF; a
 * reader that checked for a failure just before that read saw a truncated download end cleanly (case K, quiche
 * engine: "the stream ended cleanly after 87192 more bytes"). The stream here does what Jetty's close does, in that
 * order, inside the reader's read().
 */
class JettyTunnelTest {

    @Test
    void aStreamFailedDuringTheReadDoesNotEndCleanly() throws IOException {
        JettyClientPeer.Tunnel tunnel = new JettyClientPeer.Tunnel();
        tunnel.stream = new ClosedByThePeerDuringRead(tunnel, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, tunnel.in().readNBytes(3));
        assertThrows(IOException.class, () -> tunnel.in().read(), "a truncated stream read as a clean end");
    }

    /** Serves its bytes, then on the next read is failed and disconnected as Jetty does on a peer's close. */
    private static final class ClosedByThePeerDuringRead implements Stream {
        private final JettyClientPeer.Tunnel listener;
        private byte[] data;

        ClosedByThePeerDuringRead(JettyClientPeer.Tunnel listener, byte[] data) {
            this.listener = listener;
            this.data = data;
        }

        @Override
        public Content.Chunk read() {
            if (data != null) {
                Content.Chunk chunk = Content.Chunk.from(ByteBuffer.wrap(data), false);
                data = null;
                return chunk;
            }
            listener.onFailure(null, 0x100, new EofException("relay shutting down")); // HTTP3Session.onClose: failStreams
            return Content.Chunk.EOF; // then disconnect(): the stream's chunk becomes a plain EOF
        }

        @Override
        public void demand() {
        }

        @Override
        public long getId() {
            return 0;
        }

        @Override
        public Session getSession() {
            return null;
        }

        @Override
        public void data(DataFrame frame, Promise.Invocable<Stream> promise) {
            promise.succeeded(this);
        }

        @Override
        public void trailer(HeadersFrame frame, Promise.Invocable<Stream> promise) {
            promise.succeeded(this);
        }

        @Override
        public void disconnect(long appErrorCode, Throwable failure, Promise.Invocable<Stream> promise) {
            promise.succeeded(this);
        }
    }
}
