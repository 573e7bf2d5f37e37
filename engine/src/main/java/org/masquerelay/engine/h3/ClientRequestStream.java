package org.masquerelay.engine.h3;

import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.HttpConnection;
import org.masquerelay.engine.RequestNotProcessedException;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** A request stream on the client: the request section is sent at creation; the response is read on demand. */
public final class ClientRequestStream extends FramedStream implements ClientStream {
    private final Supplier<String> closeDetail;
    private CompletableFuture<HttpFields> response;

    /**
     * @param closeDetail why the connection closed (a TLS alert, the peer's reason), added to a failed response
     *                    read when the connection is gone; may return null
     */
    public ClientRequestStream(QuicStreamIo io, H3ConnectionBase connection, Qpack qpack, int maxFieldSectionSize,
                               long maxDataFrameSize, Supplier<String> closeDetail) {
        super(io, connection, qpack, maxFieldSectionSize, maxDataFrameSize);
        this.closeDetail = closeDetail;
    }

    public void sendRequest(HttpFields request) throws IOException {
        writer.writeHeaders(qpack.encode(request));
    }

    @Override
    public synchronized HttpFields awaitResponse(Duration timeout) throws IOException {
        if (response == null) {
            // Read on a virtual thread so the caller can give up after the timeout (blocking reads have none).
            response = new CompletableFuture<>();
            Thread.ofVirtual().name("h3-response-" + streamId()).start(this::readFinalResponse);
        }
        try {
            return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            stopSending(H3.H3_REQUEST_CANCELLED);
            reset(H3.H3_REQUEST_CANCELLED);
            throw new SocketTimeoutException("no response from the relay within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the response");
        }
    }

    /**
     * Whether the relay said this request was not processed (RFC 9114 §4.1.1, §5.2): a reset with H3_REQUEST_REJECTED,
     * or a stream id at or past its GOAWAY. When the engine cannot tell the reset's code, a GOAWAY on its way is
     * waited for, briefly.
     */
    private boolean notProcessed() {
        java.util.OptionalLong code = io.peerResetCode();
        if (code.isPresent() && code.getAsLong() == H3.H3_REQUEST_REJECTED) {
            return true;
        }
        return connection.goAwayCovers(streamId(), code.isEmpty());
    }

    private void readFinalResponse() {
        try {
            while (true) {
                byte[] section = reader.readFieldSection();
                if (section == null) {
                    throw new IOException("the relay closed the stream before sending a response");
                }
                HttpFields fields = qpack.decode(section);
                String status = fields.getOrNull(":status");
                if (status == null || !status.matches("\\d{3}")) {
                    throw new IOException("malformed response: :status is " + status);
                }
                if (status.charAt(0) != '1') {
                    response.complete(fields);
                    return;
                }
            }
        } catch (IOException e) {
            if (notProcessed()) {
                response.completeExceptionally(new RequestNotProcessedException("the relay did not process the request"
                        + " on stream " + streamId() + " (" + e.getMessage() + "): it may be retried on another connection", e));
                return;
            }
            String detail = closeDetail.get();
            response.completeExceptionally(detail != null && !connection.isOpen()
                    ? new IOException(e.getMessage() + " (" + detail + ")", e) : e);
        } catch (RuntimeException e) {
            response.completeExceptionally(new IOException(e));
        }
    }
}
