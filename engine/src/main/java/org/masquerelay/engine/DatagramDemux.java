package org.masquerelay.engine;

import org.masquerelay.wire.HttpDatagram;
import org.masquerelay.wire.MalformedDatagramException;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Routes the HTTP Datagrams of one connection to their request streams by quarter stream id (RFC 9297 §2.1).
 * A datagram can overtake its request (the client sends it right behind the HEADERS, as Apple's client does with a
 * QUIC Initial): such datagrams are held, a bounded number, until their stream registers (RFC 9297 §2.1 allows
 * buffering "for a short time"); when the bound is reached the oldest is dropped.
 */
public final class DatagramDemux implements Consumer<byte[]> {
    private final Map<Long, Consumer<HttpDatagram>> flows = new ConcurrentHashMap<>();
    private final ArrayDeque<HttpDatagram> unclaimed = new ArrayDeque<>();
    private final int maxUnclaimed;
    private long malformed;
    private final Consumer<String> dropped;

    public DatagramDemux(int maxUnclaimed) {
        this(maxUnclaimed, reason -> {});
    }

    /** @param dropped told of each datagram dropped here: "malformed", or "unclaimed" (no tunnel took it in time) */
    public DatagramDemux(int maxUnclaimed, Consumer<String> dropped) {
        this.maxUnclaimed = maxUnclaimed;
        this.dropped = dropped;
    }

    @Override
    public void accept(byte[] datagram) {
        HttpDatagram decoded;
        try {
            decoded = HttpDatagram.decode(datagram);
        } catch (MalformedDatagramException e) {
            synchronized (this) {
                malformed++;
            }
            dropped.accept("malformed");
            return;
        }
        Consumer<HttpDatagram> flow = flows.get(decoded.quarterStreamId());
        if (flow == null) {
            synchronized (this) {
                flow = flows.get(decoded.quarterStreamId());
                if (flow == null) {
                    if (unclaimed.size() >= maxUnclaimed) {
                        unclaimed.pollFirst();
                        dropped.accept("unclaimed");
                    }
                    unclaimed.addLast(decoded);
                    return;
                }
            }
        }
        flow.accept(decoded);
    }

    /** Delivers this stream's datagrams to the flow, starting with any that arrived before. */
    public void register(long streamId, Consumer<HttpDatagram> flow) {
        long quarterStreamId = streamId / 4;
        synchronized (this) {
            unclaimed.removeIf(d -> {
                if (d.quarterStreamId() == quarterStreamId) {
                    flow.accept(d);
                    return true;
                }
                return false;
            });
            flows.put(quarterStreamId, flow);
        }
    }

    public void unregister(long streamId) {
        flows.remove(streamId / 4);
    }

    public synchronized int unclaimedCount() {
        return unclaimed.size();
    }

    public synchronized long malformedCount() {
        return malformed;
    }
}
