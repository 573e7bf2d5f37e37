package org.masquerelay.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.masquerelay.wire.HttpDatagram;
import org.masquerelay.wire.MalformedDatagramException;
import org.masquerelay.wire.UdpPayload;

/**
 * QUIC DATAGRAM payloads as a peer sends them: quarter stream id (RFC 9297 §2.1), then context id and UDP payload
 * (RFC 9298 §5). Allowed: a datagram, or {@link MalformedDatagramException}; the context id split never throws. A
 * context-0 datagram re-encodes (minimal varints) to one that decodes to the same stream, context and payload.
 */
class HttpDatagramFuzzTest {

    @FuzzTest
    void datagram(byte[] quicDatagram) {
        HttpDatagram datagram;
        try {
            datagram = HttpDatagram.decode(quicDatagram);
        } catch (MalformedDatagramException e) {
            return;
        }
        assertTrue(datagram.quarterStreamId() >= 0 && datagram.quarterStreamId() <= HttpDatagram.MAX_QUARTER_STREAM_ID);
        assertEquals(quicDatagram.length, datagram.offset() + datagram.length());
        UdpPayload payload = UdpPayload.decode(datagram.buffer(), datagram.offset(), datagram.length());
        if (payload.isMalformed()) {
            assertEquals(0, payload.length());
            return;
        }
        assertTrue(payload.offset() + payload.length() == quicDatagram.length, "payload must run to the end");
        if (payload.isUdp()) {
            byte[] udp = payload.payload();
            byte[] again = HttpDatagram.encode(datagram.streamId(), UdpPayload.CONTEXT_UDP, udp, 0, udp.length);
            HttpDatagram decoded = decodeOrFail(again);
            assertEquals(datagram.quarterStreamId(), decoded.quarterStreamId());
            UdpPayload p = UdpPayload.decode(decoded.buffer(), decoded.offset(), decoded.length());
            assertEquals(UdpPayload.CONTEXT_UDP, p.contextId());
            assertArrayEquals(udp, Arrays.copyOfRange(p.buffer(), p.offset(), p.offset() + p.length()));
        }
    }

    private static HttpDatagram decodeOrFail(byte[] bytes) {
        try {
            return HttpDatagram.decode(bytes);
        } catch (MalformedDatagramException e) {
            throw new AssertionError("our own encoding does not decode", e);
        }
    }
}
