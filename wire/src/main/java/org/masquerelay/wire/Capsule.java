package org.masquerelay.wire;

import java.util.Arrays;

/** One capsule of the Capsule Protocol (RFC 9297 §3.2): a type and a value, carried in the DATA of a stream. */
public record Capsule(long type, byte[] value) {

    public Capsule {
        if (type < 0 || type > VarInt.MAX) {
            throw new IllegalArgumentException("capsule type out of range: " + type);
        }
        if (value == null) {
            throw new NullPointerException("value");
        }
    }

    // Records compare arrays by identity; capsules are values, so compare contents.
    @Override
    public boolean equals(Object o) {
        return o instanceof Capsule c && c.type == type && Arrays.equals(c.value, value);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(type) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Capsule[type=0x" + Long.toHexString(type) + ", length=" + value.length + "]";
    }
}
