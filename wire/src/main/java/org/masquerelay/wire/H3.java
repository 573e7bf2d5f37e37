package org.masquerelay.wire;

/**
 * HTTP/3 code points used by the relay: frame types, settings, error codes (RFC 9114 §7.2, §7.2.4.1, §8.1; RFC 9220;
 * RFC 9297), and the reserved (GREASE) pattern that every registry shares.
 */
public final class H3 {
    private H3() {}

    // Frame types (RFC 9114 §7.2).
    public static final long FRAME_DATA = 0x00;
    public static final long FRAME_HEADERS = 0x01;
    public static final long FRAME_CANCEL_PUSH = 0x03;
    public static final long FRAME_SETTINGS = 0x04;
    public static final long FRAME_PUSH_PROMISE = 0x05;
    public static final long FRAME_GOAWAY = 0x07;
    public static final long FRAME_MAX_PUSH_ID = 0x0d;
    // RFC 9218 §7.2
    public static final long FRAME_PRIORITY_UPDATE_REQUEST = 0xF0700;
    public static final long FRAME_PRIORITY_UPDATE_PUSH = 0xF0701;

    // Settings (RFC 9114 §7.2.4.1, RFC 9204 §5, RFC 9220 §5, RFC 9297 §5.1).
    public static final long SETTINGS_QPACK_MAX_TABLE_CAPACITY = 0x01;
    public static final long SETTINGS_MAX_FIELD_SECTION_SIZE = 0x06;
    public static final long SETTINGS_QPACK_BLOCKED_STREAMS = 0x07;
    public static final long SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x08;
    public static final long SETTINGS_H3_DATAGRAM = 0x33;

    // Unidirectional stream types (RFC 9114 §6.2, RFC 9204 §4.2).
    public static final long STREAM_CONTROL = 0x00;
    public static final long STREAM_PUSH = 0x01;
    public static final long STREAM_QPACK_ENCODER = 0x02;
    public static final long STREAM_QPACK_DECODER = 0x03;

    // Error codes (RFC 9114 §8.1, RFC 9297 §5.2).
    public static final long H3_NO_ERROR = 0x0100;
    public static final long H3_GENERAL_PROTOCOL_ERROR = 0x0101;
    public static final long H3_INTERNAL_ERROR = 0x0102;
    public static final long H3_STREAM_CREATION_ERROR = 0x0103;
    public static final long H3_CLOSED_CRITICAL_STREAM = 0x0104;
    public static final long H3_FRAME_UNEXPECTED = 0x0105;
    public static final long H3_FRAME_ERROR = 0x0106;
    public static final long H3_EXCESSIVE_LOAD = 0x0107;
    public static final long H3_ID_ERROR = 0x0108;
    public static final long H3_SETTINGS_ERROR = 0x0109;
    public static final long H3_MISSING_SETTINGS = 0x010a;
    public static final long H3_REQUEST_REJECTED = 0x010b;
    public static final long H3_REQUEST_CANCELLED = 0x010c;
    public static final long H3_REQUEST_INCOMPLETE = 0x010d;
    public static final long H3_MESSAGE_ERROR = 0x010e;
    public static final long H3_CONNECT_ERROR = 0x010f;
    public static final long H3_VERSION_FALLBACK = 0x0110;
    public static final long H3_DATAGRAM_ERROR = 0x33;

    /**
     * Reserved code points "0x1f * N + 0x21" (RFC 9114 §7.2.8, §7.2.4.1, §6.2.3, §8.1): peers send them as GREASE and
     * a receiver must ignore them. Capsule types use a different pattern, see {@link CapsuleType#isReserved(long)}.
     */
    public static boolean isReserved(long codePoint) {
        return codePoint >= 0x21 && (codePoint - 0x21) % 0x1f == 0;
    }

    /** Settings identifiers that HTTP/2 used and HTTP/3 forbids (RFC 9114 §7.2.4.1, §11.2.2). */
    public static boolean isHttp2OnlySetting(long id) {
        return id >= 0x02 && id <= 0x05;
    }

    /** Frame types that HTTP/2 used and HTTP/3 forbids (RFC 9114 §7.2.8): receipt is H3_FRAME_UNEXPECTED. */
    public static boolean isHttp2OnlyFrameType(long type) {
        return type == 0x02 || type == 0x06 || type == 0x08 || type == 0x09;
    }

    /** A readable name for logs. */
    public static String errorName(long code) {
        return switch ((int) code) {
            case 0x0100 -> "H3_NO_ERROR";
            case 0x0101 -> "H3_GENERAL_PROTOCOL_ERROR";
            case 0x0102 -> "H3_INTERNAL_ERROR";
            case 0x0103 -> "H3_STREAM_CREATION_ERROR";
            case 0x0104 -> "H3_CLOSED_CRITICAL_STREAM";
            case 0x0105 -> "H3_FRAME_UNEXPECTED";
            case 0x0106 -> "H3_FRAME_ERROR";
            case 0x0107 -> "H3_EXCESSIVE_LOAD";
            case 0x0108 -> "H3_ID_ERROR";
            case 0x0109 -> "H3_SETTINGS_ERROR";
            case 0x010a -> "H3_MISSING_SETTINGS";
            case 0x010b -> "H3_REQUEST_REJECTED";
            case 0x010c -> "H3_REQUEST_CANCELLED";
            case 0x010d -> "H3_REQUEST_INCOMPLETE";
            case 0x010e -> "H3_MESSAGE_ERROR";
            case 0x010f -> "H3_CONNECT_ERROR";
            case 0x0110 -> "H3_VERSION_FALLBACK";
            case 0x33 -> "H3_DATAGRAM_ERROR";
            default -> String.format("0x%x", code);
        };
    }
}
