package org.masquerelay.engine.quiche;

import org.masquerelay.engine.ClientStream;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A request stream on the client: the request section is sent at creation; the response is read on demand. */
final class QuicheClientStream extends QuicheH3Stream implements ClientStream {
    private CompletableFuture<HttpFields> response;

    QuicheClientStream(StreamBridge bridge, QuicheConnection connection) {
        super(bridge, connection);
    }

    void sendRequest(HttpFields request) throws IOException {
        writer.writeHeaders(qpack.encode(request));
    }

    @Override
    public synchronized HttpFields awaitResponse(Duration timeout) throws IOException {
        if (response == null) {
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
            IOException reported = e;
            String detail = connection.closeDetail();
            if (detail != null && !connection.isOpen()) {
                reported = new IOException(e.getMessage() + " (" + detail + ")", e);
            }
            response.completeExceptionally(reported);
        } catch (RuntimeException e) {
            response.completeExceptionally(new IOException(e));
        }
    }
}
