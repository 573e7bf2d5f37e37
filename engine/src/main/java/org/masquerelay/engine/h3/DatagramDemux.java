package org.masquerelay.engine.h3;

import org.masquerelay.engine.DatagramReceiver;
import org.masquerelay.wire.HttpDatagram;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Routes the HTTP Datagrams of one connection to their request streams by Quarter Stream ID (RFC 9297 §2.1). A
 * datagram can overtake its request (the client sends it right behind the HEADERS, as Apple's client does with a
 * QUIC Initial): such datagrams are held, a bounded number, until their stream registers (RFC 9297 §2.1 allows
 * buffering "for a short time"); when the bound is reached the oldest is dropped. Datagrams whose Quarter Stream ID
 * is truncated or too large are counted and dropped.
 *
 * <p>The fast path allocates nothing: the Quarter Stream ID is read in place and the receiver gets a slice of the
 * engine's array.
 */
final class DatagramDemux {
    /** A datagram that arrived before its stream registered. */
    private record Held(long quarterStreamId, byte[] datagram, int payloadOffset) {}

    private final Map<Long, DatagramReceiver> flows = new ConcurrentHashMap<>();
    private final ArrayDeque<Held> unclaimed = new ArrayDeque<>();
    private final int maxUnclaimed;
    private long malformed;
    /** Told of every datagram dropped here, with why: "malformed" or "unclaimed" (for the relay's metrics). */
    private volatile Consumer<String> dropped = reason -> {};

    DatagramDemux(int maxUnclaimed) {
        this.maxUnclaimed = maxUnclaimed;
    }

    /** One QUIC DATAGRAM frame payload; runs on the connection's datagram thread. */
    void accept(byte[] datagram) {
        if (datagram.length == 0) {
            countMalformed();
            return;
        }
        int first = datagram[0] & 0xff;
        int idLength = 1 << (first >>> 6);
        if (datagram.length < idLength) {
            countMalformed(); // ends inside its Quarter Stream ID
            return;
        }
        long quarterStreamId = first & 0x3f;
        for (int i = 1; i < idLength; i++) {
            quarterStreamId = (quarterStreamId << 8) | (datagram[i] & 0xff);
        }
        if (quarterStreamId > HttpDatagram.MAX_QUARTER_STREAM_ID) {
            countMalformed();
            return;
        }
        DatagramReceiver flow = flows.get(quarterStreamId);
        if (flow == null) {
            synchronized (this) {
                flow = flows.get(quarterStreamId);
                if (flow == null) {
                    if (unclaimed.size() >= maxUnclaimed && unclaimed.pollFirst() != null) {
                        dropped.accept("unclaimed"); // no stream took it while room was left to hold it
                    }
                    unclaimed.addLast(new Held(quarterStreamId, datagram, idLength));
                    return;
                }
            }
        }
        flow.datagram(datagram, idLength, datagram.length - idLength);
    }

    /** Delivers this stream's datagrams to the flow, starting with any that arrived before; null stops delivery. */
    void register(long streamId, DatagramReceiver flow) {
        long quarterStreamId = streamId >>> 2;
        if (flow == null) {
            flows.remove(quarterStreamId);
            return;
        }
        synchronized (this) {
            unclaimed.removeIf(held -> {
                if (held.quarterStreamId() == quarterStreamId) {
                    flow.datagram(held.datagram(), held.payloadOffset(), held.datagram().length - held.payloadOffset());
                    return true;
                }
                return false;
            });
            flows.put(quarterStreamId, flow);
        }
    }

    void onDropped(Consumer<String> listener) {
        dropped = listener;
    }

    synchronized int unclaimedCount() {
        return unclaimed.size();
    }

    synchronized long malformedCount() {
        return malformed;
    }

    private void countMalformed() {
        synchronized (this) {
            malformed++;
        }
        dropped.accept("malformed");
    }
}
