package org.masquerelay.engine.kwik;

import org.masquerelay.engine.ClientStream;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import tech.kwik.core.QuicStream;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A request stream on the client: the request section is sent at creation; the response is read on demand. */
final class KwikClientStream extends KwikH3Stream implements ClientStream {
    private CompletableFuture<HttpFields> response;

    KwikClientStream(QuicStream quic, KwikConnection connection, Qpack qpack, int maxFieldSectionSize, long maxDataFrameSize) {
        super(quic, connection, qpack, maxFieldSectionSize, maxDataFrameSize);
    }

    void sendRequest(HttpFields request) throws IOException {
        writer.writeHeaders(qpack.encode(request));
    }

    @Override
    public synchronized HttpFields awaitResponse(Duration timeout) throws IOException {
        if (response == null) {
            // Read on a virtual thread so the caller can give up after the timeout (Kwik reads have none).
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
            response.completeExceptionally(e);
        } catch (RuntimeException e) {
            response.completeExceptionally(new IOException(e));
        }
    }
}
