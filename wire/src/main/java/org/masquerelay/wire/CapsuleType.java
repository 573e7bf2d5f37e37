package org.masquerelay.wire;

/** Capsule type code points (RFC 9297 §5.4). */
public final class CapsuleType {
    private CapsuleType() {}

    /** DATAGRAM capsule (RFC 9297 §3.5): its value is an HTTP Datagram Payload. */
    public static final long DATAGRAM = 0x00;

    /**
     * Types of the form 0x29 * N + 0x17 are reserved to exercise the rule that unknown capsule types are skipped
     * (RFC 9297 §5.4). Note this differs from the 0x1f * N + 0x21 pattern of HTTP/3 frame types and settings.
     */
    public static boolean isReserved(long type) {
        return type >= 0x17 && (type - 0x17) % 0x29 == 0;
    }
}
