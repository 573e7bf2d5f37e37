package org.masquerelay.engine.h3;

import org.junit.jupiter.api.Test;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.H3StreamException;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay's GOAWAY as the client keeps it (RFC 9114 §5.2). */
class PeerGoAwayTest {

    @Test
    void streamsAtOrPastTheIdWereNotProcessedAndListenersHearOnce() throws Exception {
        PeerGoAway goAway = new PeerGoAway();
        List<Long> heard = new ArrayList<>();
        goAway.onGoAway(heard::add);
        assertFalse(goAway.covers(8, 0), "no GOAWAY yet");
        goAway.received(8);
        goAway.received(4); // a later GOAWAY may lower the id
        goAway.onGoAway(heard::add); // a late listener hears at once, the id as it is now
        assertEquals(List.of(8L, 4L), heard, "each listener once");
        assertEquals(OptionalLong.of(4), goAway.streamId());
        assertTrue(goAway.covers(4, 0));
        assertFalse(goAway.covers(0, 0), "a stream below the id runs on");
    }

    @Test
    void anIdThatIsNoClientRequestStreamOrGrewIsAConnectionError() throws Exception {
        PeerGoAway goAway = new PeerGoAway();
        assertEquals(H3.H3_ID_ERROR, assertThrows(H3StreamException.class, () -> goAway.received(6)).errorCode());
        goAway.received(4);
        assertEquals(H3.H3_ID_ERROR, assertThrows(H3StreamException.class, () -> goAway.received(8)).errorCode());
    }

    /** The client end of a connection reading the relay's control stream: SETTINGS, then GOAWAY. */
    @Test
    void theClientEndReadsTheRelaysGoAwayOffItsControlStream() throws Exception {
        ClientEnd c = new ClientEnd();
        assertTrue(c.acceptsNewStreams());
        java.io.ByteArrayOutputStream control = new java.io.ByteArrayOutputStream();
        control.write(org.masquerelay.wire.FrameWriter.settingsFrame(java.util.Map.of()));
        byte[] id = org.masquerelay.wire.VarInt.encode(8);
        control.write(org.masquerelay.wire.FrameWriter.encodeFrame(H3.FRAME_GOAWAY, id, 0, id.length));
        List<Long> heard = new ArrayList<>();
        c.onGoAway(heard::add);
        c.readControlStream(new java.io.ByteArrayInputStream(control.toByteArray())); // then its end: closed
        assertEquals(List.of(8L), heard);
        assertEquals(OptionalLong.of(8), c.goAwayStreamId());
        assertFalse(c.acceptsNewStreams());
        assertThrows(org.masquerelay.engine.RequestNotProcessedException.class, c::checkAcceptsNewRequests);
    }

    private static final class ClientEnd extends H3ConnectionBase {
        ClientEnd() {
            super(DEFAULT_PENDING_DATAGRAMS);
        }

        @Override protected boolean isClient() { return true; }
        @Override protected void writeControl(byte[] frames) { }
        @Override public java.net.InetSocketAddress remoteAddress() { return new java.net.InetSocketAddress("127.0.0.1", 1); }
        @Override public java.net.InetSocketAddress localAddress() { return new java.net.InetSocketAddress("127.0.0.1", 2); }
        @Override public boolean datagramsEnabled() { return false; }
        @Override public int maxDatagramSize() { return 0; }
        @Override protected boolean sendQuicDatagram(byte[] datagram) { return false; }
        @Override public void close(long h3ErrorCode, String reason) { closed(reason); }
    }

    @Test
    void aWaiterStopsWhenTheConnectionEnds() {
        PeerGoAway goAway = new PeerGoAway();
        goAway.connectionEnded();
        assertFalse(goAway.covers(0, 60_000), "returns at once: no GOAWAY can come any more");
    }
}
