package org.masquerelay.engine.kwik;

import org.masquerelay.engine.h3.LocalSettings;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.engine.h3.ClientRequestStream;
import org.masquerelay.engine.h3.Qpack;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.VarInt;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;


/**
 * The client end of an HTTP/3 connection on Kwik, written directly on QUIC streams: Flupke's client discards the
 * headers of CONNECT responses and cannot enable datagrams (docs/upstream.md).
 */
final class KwikClientConnection extends KwikConnection implements ClientConnection {
    private static final System.Logger LOG = System.getLogger(KwikClientConnection.class.getName());
    static final int MAX_FIELD_SECTION_SIZE = 64 * 1024;
    static final long MAX_DATA_FRAME_SIZE = 16 * 1024 * 1024;

    private final Qpack qpack = new Qpack();
    private final java.util.concurrent.CountDownLatch connectDone = new java.util.concurrent.CountDownLatch(1);

    KwikClientConnection(QuicClientConnection quic) {
        super(quic, quic.getLocalAddress(), quic.getServerAddress(), DEFAULT_PENDING_DATAGRAMS);
    }

    /** Our control stream with SETTINGS (RFC 9114 §6.2.1): H3_DATAGRAM=1 so the relay may send HTTP datagrams. */
    void startControlStream() throws IOException {
        Map<Long, Long> settings = LocalSettings.client();
        QuicStream control = quic.createStream(false);
        OutputStream out = control.getOutputStream();
        out.write(VarInt.encode(H3.STREAM_CONTROL));
        out.write(FrameWriter.settingsFrame(settings));
        out.flush();
        controlStreamOpened(out);
    }

    /** Streams the relay opens: its control stream is read; QPACK streams drained; anything else refused. */
    void acceptUnidirectional(QuicStream stream) {
        Thread.ofVirtual().name("h3-uni-" + stream.getStreamId()).start(() -> {
            awaitConnectDone();
            readUnidirectional(stream.getInputStream(), stream::abortReading, stream.getStreamId());
        });
    }

    /**
     * The relay's streams are read only once {@code connect()} has returned: its control stream can arrive within the
     * handshake, and a bad one (duplicated SETTINGS) closes the connection — before connect() had returned, Kwik then
     * reported a bare "Handshake error" and the client saw a TLS failure instead of the SETTINGS problem (the interop
     * variant duplicate-setting, about one run in ten).
     */
    private void awaitConnectDone() {
        try {
            connectDone.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** connect() has returned, successfully or not: the relay's streams may be read (or found closed). */
    void connectDone() {
        connectDone.countDown();
    }

    @Override
    public void sendControlFrame(long type, byte[] payload) throws IOException {
        writeControl(FrameWriter.encodeFrame(type, payload, 0, payload.length));
    }

    /** The client end: the relay's GOAWAY is kept (acceptsNewStreams, onGoAway). */
    @Override
    protected boolean isClient() {
        return true;
    }

    @Override
    public ClientStream openRequest(HttpFields requestHeaders) throws IOException {
        checkAcceptsNewRequests();
        tech.kwik.core.QuicStream quicStream;
        try {
            quicStream = quic.createStream(true);
        } catch (IOException notConnected) {
            // Kwik's only refusal here is "not connected": its connection has ended (a client's idle timeout after the
            // relay died does not reach our listener). Ended for us too, or every later tunnel fails on it instead of
            // going to a new connection (the fleet lab's Kwik clients never recovered from a killed relay).
            closed("connection ended (" + notConnected.getMessage() + ")");
            throw notConnected;
        }
        ClientRequestStream stream = new ClientRequestStream(new KwikStreamIo(quicStream, this), this, qpack,
                MAX_FIELD_SECTION_SIZE, MAX_DATA_FRAME_SIZE, () -> null);
        stream.sendRequest(requestHeaders);
        return stream;
    }

}
