package org.masquerelay.engine.h2;

import io.netty.handler.codec.http2.Http2Error;
import org.masquerelay.wire.H3;

/**
 * The relay speaks HTTP/3 error codes ({@link H3}); over HTTP/2 each becomes the RST_STREAM code with the same meaning
 * (RFC 9113 §7, RFC 9114 §8.1 names its codes after them).
 */
final class ErrorCodes {
    private ErrorCodes() {}

    static Http2Error toHttp2(long h3ErrorCode) {
        if (h3ErrorCode == H3.H3_NO_ERROR) {
            return Http2Error.NO_ERROR;
        } else if (h3ErrorCode == H3.H3_REQUEST_CANCELLED) {
            return Http2Error.CANCEL;
        } else if (h3ErrorCode == H3.H3_CONNECT_ERROR) {
            return Http2Error.CONNECT_ERROR;
        } else if (h3ErrorCode == H3.H3_REQUEST_REJECTED) {
            return Http2Error.REFUSED_STREAM;
        } else if (h3ErrorCode == H3.H3_EXCESSIVE_LOAD) {
            return Http2Error.ENHANCE_YOUR_CALM;
        } else if (h3ErrorCode == H3.H3_MESSAGE_ERROR || h3ErrorCode == H3.H3_FRAME_ERROR
                || h3ErrorCode == H3.H3_FRAME_UNEXPECTED || h3ErrorCode == H3.H3_GENERAL_PROTOCOL_ERROR
                || h3ErrorCode == H3.H3_DATAGRAM_ERROR) {
            return Http2Error.PROTOCOL_ERROR;
        }
        return Http2Error.INTERNAL_ERROR;
    }
}
