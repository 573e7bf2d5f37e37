package org.masquerelay.client;

import java.io.IOException;

/** A UDP payload does not fit what the tunnel can carry (a QUIC DATAGRAM frame, or 65527 bytes in a capsule). */
public final class DatagramTooLargeException extends IOException {
    private final int size;
    private final int limit;

    public DatagramTooLargeException(int size, int limit, String path) {
        super("UDP payload of " + size + " bytes is larger than the " + limit + " bytes " + path + " can carry; nothing was sent");
        this.size = size;
        this.limit = limit;
    }

    /** The payload's size in bytes. */
    public int size() {
        return size;
    }

    /** The largest payload the path could carry. */
    public int limit() {
        return limit;
    }
}
