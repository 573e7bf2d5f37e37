package org.masquerelay.engine.h3;

import org.junit.jupiter.api.Test;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.VarInt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GOAWAY as RFC 9114 §5.2 has it: it names the first request stream the server will not serve, past every request
 * already accepted; requests below it are still served (they may be on their way), the rest are refused; it waits for
 * the control stream's SETTINGS and is sent once. The connection here is only its control-stream writer: the rest
 * of HTTP/3 is what both engines' tests cover over real sockets (DrainTest).
 */
class GoAwayTest {

    /** Records what goes on our control stream; nothing else of a connection is used. */
    private static final class Recorder extends H3ConnectionBase {
        final ByteArrayOutputStream control = new ByteArrayOutputStream();

        Recorder() {
            super(DEFAULT_PENDING_DATAGRAMS);
        }

        @Override
        protected void writeControl(byte[] frames) throws IOException {
            control.write(frames);
        }

        void settingsWritten() {
            controlStreamReady();
        }

        @Override public InetSocketAddress remoteAddress() { return new InetSocketAddress("127.0.0.1", 1); }
        @Override public InetSocketAddress localAddress() { return new InetSocketAddress("127.0.0.1", 2); }
        @Override public boolean datagramsEnabled() { return false; }
        @Override public int maxDatagramSize() { return 0; }
        @Override protected boolean sendQuicDatagram(byte[] datagram) { return false; }
        @Override public void close(long h3ErrorCode, String reason) { closed(reason); }
    }

    private static byte[] goAwayFrame(long streamId) {
        byte[] id = VarInt.encode(streamId);
        return FrameWriter.encodeFrame(H3.FRAME_GOAWAY, id, 0, id.length);
    }

    @Test
    void namesTheStreamPastEveryAcceptedRequestAndRefusesFromThere() {
        Recorder c = new Recorder();
        c.settingsWritten();
        assertTrue(c.admitRequestStream(0));
        assertTrue(c.admitRequestStream(8));
        assertTrue(c.admitRequestStream(4));
        assertTrue(c.goAway());
        assertArrayEquals(goAwayFrame(12), c.control.toByteArray());
        assertTrue(c.goingAway());
        assertFalse(c.admitRequestStream(12), "at the GOAWAY id: never served");
        assertFalse(c.admitRequestStream(40), "past it: never served");
        assertFalse(c.goAway(), "sent once");
        assertEquals(goAwayFrame(12).length, c.control.size());
    }

    @Test
    void aRequestBelowTheGoAwayThatArrivesLateIsStillServed() {
        Recorder c = new Recorder();
        c.settingsWritten();
        assertTrue(c.admitRequestStream(8)); // stream 4 is still on its way
        c.goAway();
        assertTrue(c.admitRequestStream(4), "below the GOAWAY id: the client may have sent it already");
        assertArrayEquals(goAwayFrame(12), c.control.toByteArray());
    }

    @Test
    void withoutRequestsItNamesStreamZero() {
        Recorder c = new Recorder();
        c.settingsWritten();
        c.goAway();
        assertArrayEquals(goAwayFrame(0), c.control.toByteArray());
        assertFalse(c.admitRequestStream(0));
    }

    @Test
    void waitsForSettingsOnTheControlStream() {
        Recorder c = new Recorder();
        assertTrue(c.admitRequestStream(0));
        assertTrue(c.goAway());
        assertEquals(0, c.control.size(), "nothing may precede SETTINGS on the control stream");
        c.settingsWritten();
        assertArrayEquals(goAwayFrame(4), c.control.toByteArray());
    }
}
