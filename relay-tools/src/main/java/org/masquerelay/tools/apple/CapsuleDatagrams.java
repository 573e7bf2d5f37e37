package org.masquerelay.tools.apple;

import org.masquerelay.engine.DatagramReceiver;
import org.masquerelay.engine.RequestStream;
import org.masquerelay.wire.Capsule;
import org.masquerelay.wire.CapsuleReader;
import org.masquerelay.wire.CapsuleWriter;

import java.io.IOException;

/**
 * HTTP Datagrams of a connect-udp stream that has no datagram path outside the stream (HTTP/2: RFC 9297 §3.5), as
 * Apple's client sends them over its HTTP/2 path: each one a DATAGRAM capsule in the stream's body.
 */
final class CapsuleDatagrams {
    private static final long DATAGRAM = 0x00;
    private static final int MAX_CAPSULE = 64 * 1024;

    private CapsuleDatagrams() {
    }

    /** One DATAGRAM capsule ({@code contextId}, then the payload) on the stream; false when the stream is gone. */
    static boolean send(RequestStream stream, long contextId, byte[] payload, int offset, int length) {
        try {
            stream.bodyOut().write(CapsuleWriter.datagramCapsule(contextId, payload, offset, length));
            stream.bodyOut().flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads the stream's capsules on a virtual thread of its own until the stream ends, handing each DATAGRAM
     * capsule's value (Context ID and payload, as an HTTP Datagram's) to {@code receiver}; other types are skipped
     * (RFC 9297 §3.2).
     */
    static void receive(RequestStream stream, DatagramReceiver receiver) {
        Thread.ofVirtual().name("capsules-" + stream.streamId()).start(() -> {
            CapsuleReader reader = new CapsuleReader(stream.body(), MAX_CAPSULE);
            try {
                for (Capsule c; (c = reader.read()) != null; ) {
                    if (c.type() == DATAGRAM) {
                        receiver.datagram(c.value(), 0, c.value().length);
                    }
                }
            } catch (IOException ended) {
                // The stream was reset or the connection closed: no more datagrams, as when a QUIC stream ends.
            }
        });
    }
}
