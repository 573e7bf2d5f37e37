package org.masquerelay.wire;

import java.util.Objects;

/** Encodes capsules (RFC 9297 §3.2) into one array each, ready to be sent as the payload of one DATA frame. */
public final class CapsuleWriter {
    private CapsuleWriter() {}

    /** Capsule Type, Capsule Length, Capsule Value. */
    public static byte[] encode(long type, byte[] value, int off, int len) {
        Objects.checkFromIndexSize(off, len, value.length);
        byte[] out = new byte[Math.addExact(VarInt.length(type) + VarInt.length(len), len)];
        int pos = VarInt.put(type, out, 0);
        pos = VarInt.put(len, out, pos);
        System.arraycopy(value, off, out, pos, len);
        return out;
    }

    /**
     * A DATAGRAM capsule (RFC 9297 §3.5) whose value is a Context ID followed by the payload: the UDP Proxying HTTP
     * Datagram Payload of RFC 9298 §5. Built in a single allocation.
     */
    public static byte[] datagramCapsule(long contextId, byte[] payload, int off, int len) {
        Objects.checkFromIndexSize(off, len, payload.length);
        int valueLength = Math.addExact(VarInt.length(contextId), len);
        byte[] out = new byte[Math.addExact(VarInt.length(CapsuleType.DATAGRAM) + VarInt.length(valueLength),
                valueLength)];
        int pos = VarInt.put(CapsuleType.DATAGRAM, out, 0);
        pos = VarInt.put(valueLength, out, pos);
        pos = VarInt.put(contextId, out, pos);
        System.arraycopy(payload, off, out, pos, len);
        return out;
    }
}
