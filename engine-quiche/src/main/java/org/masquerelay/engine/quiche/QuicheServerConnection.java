package org.masquerelay.engine.quiche;

import org.masquerelay.engine.h3.LocalSettings;
import org.masquerelay.engine.h3.RequestDispatch;
import org.masquerelay.engine.h3.ServerRequestStream;

import io.netty.handler.codec.quic.QuicChannel;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.engine.UnfinishedRequests;
import org.masquerelay.wire.H3;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Function;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The server end of an HTTP/3 connection on quiche. Once the handshake is complete (quiche's server takes no 0-RTT
 * here, see {@link Tls}) it sends SETTINGS and asks the {@link ConnectionHandler} for this connection's request
 * handler; every request stream is read with the wire codec on a virtual thread of its own and handed to it, as in
 * the Kwik engine: a GREASE frame before HEADERS is skipped, any CONNECT (classic or extended) reaches the handler,
 * a failure on one stream is answered on that stream alone.
 */
final class QuicheServerConnection extends QuicheConnection {
    private static final System.Logger LOG = System.getLogger(QuicheServerConnection.class.getName());

    private final ConnectionHandler connectionHandler;
    private final Function<InetSocketAddress, Optional<Refusal>> admit;
    private final CompletableFuture<RequestHandler> handler = new CompletableFuture<>();
    private final UnfinishedRequests.Connection unfinished;

    /** @param admit whether a client may have this connection: empty if so, else why not and how it is closed */
    QuicheServerConnection(QuicChannel quic, ConnectionHandler connectionHandler,
                           Function<InetSocketAddress, Optional<Refusal>> admit,
                           int maxFieldSectionSize, long maxDataFrameSize, int pendingDatagrams,
                           UnfinishedRequests unfinished) {
        super(quic, maxFieldSectionSize, maxDataFrameSize, pendingDatagrams);
        this.connectionHandler = connectionHandler;
        this.admit = admit;
        this.unfinished = unfinished.forConnection();
    }

    @Override
    void active() {
        Optional<Refusal> admission = admit.apply(remoteAddress());
        if (admission.isPresent()) {
            Refusal refusal = admission.get();
            // A drain's refusal is routine; a capacity one is worth an operator's attention.
            LOG.log(refusal.h3Error() == H3.H3_NO_ERROR ? DEBUG : WARNING, "{0}: refused, {1}", remoteAddress(), refusal.reason());
            handler.completeExceptionally(new IOException("connection refused"));
            close(refusal.h3Error(), refusal.reason());
            return;
        }
        startControlStream(LocalSettings.server());
        try {
            handler.complete(connectionHandler.connected(this));
        } catch (RuntimeException e) {
            LOG.log(WARNING, remoteAddress() + ": connection handler failed", e);
            handler.completeExceptionally(e);
            close(H3.H3_INTERNAL_ERROR, "internal error");
        }
    }

    @Override
    void handshakeFailed(String reason) {
        connectionHandler.handshakeFailed(reason);
    }

    /** Why a connection is not admitted, and the HTTP/3 error code of the close that tells the client. */
    record Refusal(long h3Error, String reason) {}

    @Override
    void bidirectionalStreamOpened(StreamBridge bridge) {
        if (!admitRequestStream(bridge.id())) {
            // Past our GOAWAY: never processed, so the client may retry it on another connection (RFC 9114 §5.2).
            bridge.abortInput(H3.H3_REQUEST_REJECTED);
            bridge.resetOutput(H3.H3_REQUEST_REJECTED);
            return;
        }
        ServerRequestStream stream = new ServerRequestStream(bridge, this, qpack, maxFieldSectionSize, maxDataFrameSize);
        RequestDispatch.serve(stream, this::awaitHandler, maxFieldSectionSize, unfinished);
    }

    /** Streams come after the handshake, so this is normally complete already; fails if the connection was refused. */
    private RequestHandler awaitHandler() {
        return handler.join();
    }
}
