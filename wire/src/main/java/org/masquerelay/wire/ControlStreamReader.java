package org.masquerelay.wire;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Reads the frames of the peer's control stream (RFC 9114 §6.2.1), after the caller has consumed the stream type.
 * Enforces the control-stream grammar: SETTINGS first and only once (§7.2.4), no DATA, HEADERS or PUSH_PROMISE
 * (§7.2.1, §7.2.2, §7.2.5), no HTTP/2-only frame types (§7.2.8). Unknown and reserved frame types are skipped
 * without being buffered (§9). Every error here is a connection error in RFC 9114 terms; the caller closes the
 * connection with {@link H3StreamException#errorCode()}.
 */
public final class ControlStreamReader {
    private final InputStream in;
    private final int maxFramePayload;
    private boolean settingsSeen;

    /** @param maxFramePayload largest payload buffered for a known frame type; larger is H3_EXCESSIVE_LOAD */
    public ControlStreamReader(InputStream in, int maxFramePayload) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxFramePayload < 0) {
            throw new IllegalArgumentException("maxFramePayload must not be negative");
        }
        this.maxFramePayload = maxFramePayload;
    }

    /**
     * The next frame of a type valid on a control stream: SETTINGS, GOAWAY, MAX_PUSH_ID, CANCEL_PUSH or
     * PRIORITY_UPDATE (the caller may ignore the last). Frames of reserved and unknown types are skipped.
     * The control stream must never end: a clean end of stream is H3_CLOSED_CRITICAL_STREAM (§6.2.1).
     */
    public Frame readFrame() throws IOException {
        while (true) {
            long type = FrameReader.readType(in);
            if (type < 0) {
                throw new H3StreamException(H3.H3_CLOSED_CRITICAL_STREAM, "the peer closed its control stream");
            }
            long length = FrameReader.readLength(in, type);
            if (!settingsSeen && type != H3.FRAME_SETTINGS) {
                // §6.2.1: "If the first frame of the control stream is any other frame type, this MUST be treated
                // as a connection error of type H3_MISSING_SETTINGS" -- reserved types included.
                throw new H3StreamException(H3.H3_MISSING_SETTINGS,
                        "first control stream frame is 0x" + Long.toHexString(type) + ", not SETTINGS");
            }
            if (type == H3.FRAME_SETTINGS && settingsSeen) {
                throw new H3StreamException(H3.H3_FRAME_UNEXPECTED, "second SETTINGS frame (RFC 9114 §7.2.4)");
            }
            if (type == H3.FRAME_DATA || type == H3.FRAME_HEADERS || type == H3.FRAME_PUSH_PROMISE
                    || H3.isHttp2OnlyFrameType(type)) {
                throw new H3StreamException(H3.H3_FRAME_UNEXPECTED,
                        "frame 0x" + Long.toHexString(type) + " on the control stream (RFC 9114 §7.2)");
            }
            if (!isKnown(type)) {
                FrameReader.skipPayload(in, type, length);
                continue;
            }
            if (length > maxFramePayload) {
                throw new H3StreamException(H3.H3_EXCESSIVE_LOAD, "frame 0x" + Long.toHexString(type) + " of "
                        + length + " bytes exceeds the limit of " + maxFramePayload);
            }
            if (type == H3.FRAME_SETTINGS) {
                settingsSeen = true;
            }
            return new Frame(type, FrameReader.readPayload(in, type, (int) length));
        }
    }

    /** The control-stream frame types this relay understands; everything else is ignored (§9). */
    private static boolean isKnown(long type) {
        return type == H3.FRAME_SETTINGS || type == H3.FRAME_GOAWAY || type == H3.FRAME_MAX_PUSH_ID
                || type == H3.FRAME_CANCEL_PUSH || type == H3.FRAME_PRIORITY_UPDATE_REQUEST
                || type == H3.FRAME_PRIORITY_UPDATE_PUSH;
    }
}
