package org.masquerelay.engine.kwik;

import org.masquerelay.engine.h3.LocalSettings;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.engine.UnfinishedRequests;
import org.masquerelay.engine.h3.Qpack;
import org.masquerelay.engine.h3.RequestDispatch;
import org.masquerelay.engine.h3.ServerRequestStream;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.VarInt;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.flupke.server.impl.Http3ServerConnectionImpl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ExecutorService;


/**
 * Flupke's server connection with the request path and the control stream replaced (docs/upstream.md says why):
 * <ul>
 *   <li>every request stream is read with our codec, so a GREASE frame before HEADERS is skipped instead of closing
 *   the connection, and classic CONNECT reaches our handler instead of Flupke's 501;</li>
 *   <li>the peer's control stream is read to its end (Flupke reads only the first frame), its SETTINGS are kept
 *   for {@link KwikConnection#datagramsEnabled()}, and later frames (PRIORITY_UPDATE, GREASE, GOAWAY) are skipped;</li>
 *   <li>our SETTINGS go out on a control stream created before this object, so that a connection started from 0-RTT
 *   can wait for the handshake (see {@link RelayH3ConnectionFactory}).</li>
 * </ul>
 * Flupke still dispatches the unidirectional streams (control, QPACK) and ignores unknown stream types.
 */
final class RelayH3ServerConnection extends Http3ServerConnectionImpl {

    private final KwikConnection connection;
    private final RequestHandler handler;
    private final Qpack qpack = new Qpack();
    private final int maxFieldSectionSize;
    private final long maxDataFrameSize;
    private final UnfinishedRequests.Connection unfinished;

    RelayH3ServerConnection(QuicConnection quic, QuicStream controlStream, ExecutorService executor, KwikConnection connection,
                            RequestHandler handler, int maxFieldSectionSize, long maxDataFrameSize,
                            UnfinishedRequests unfinished) throws IOException {
        // Flupke's own request handler is never reached: handleBidirectionalStream is overridden.
        super(quic, (request, response) -> response.setStatus(500), maxFieldSectionSize, maxDataFrameSize, executor, Map.of());
        this.connection = connection;
        this.handler = handler;
        this.maxFieldSectionSize = maxFieldSectionSize;
        this.maxDataFrameSize = maxDataFrameSize;
        this.unfinished = unfinished.forConnection();
        sendSettings(controlStream);
        connection.controlStreamOpened(controlStream.getOutputStream());
    }

    private static void sendSettings(QuicStream controlStream) throws IOException {
        OutputStream out = controlStream.getOutputStream();
        byte[] type = VarInt.encode(H3.STREAM_CONTROL);
        byte[] settings = FrameWriter.settingsFrame(LocalSettings.server());
        byte[] both = new byte[type.length + settings.length];
        System.arraycopy(type, 0, both, 0, type.length);
        System.arraycopy(settings, 0, both, type.length, settings.length);
        out.write(both);
        out.flush();
    }

    @Override
    protected void startControlStream() {
        // Called by Flupke's constructor; our constructor sends SETTINGS on the stream it was given instead.
    }

    @Override
    protected void processControlStream(InputStream in) {
        connection.controlStreamOpenedByPeer(in);
    }

    @Override
    protected void handleBidirectionalStream(QuicStream quicStream) {
        if (!connection.admitRequestStream(quicStream.getStreamId())) {
            // Past our GOAWAY: never processed, so the client may retry it on another connection (RFC 9114 §5.2).
            quicStream.abortReading(H3.H3_REQUEST_REJECTED);
            quicStream.resetStream(H3.H3_REQUEST_REJECTED);
            return;
        }
        ServerRequestStream stream = new ServerRequestStream(new KwikStreamIo(quicStream, connection), connection, qpack,
                maxFieldSectionSize, maxDataFrameSize);
        RequestDispatch.serve(stream, () -> handler, maxFieldSectionSize, unfinished);
    }
}
