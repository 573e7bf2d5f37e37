package org.masquerelay.client.fetch;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A target's response: its status and head, and its body as it arrives. The body's read errors are already typed
 * (the relay's {@code RelayException} when it lost the tunnel, else {@link TargetException}). Closing it ends the
 * exchange's connection or tunnel.
 */
public final class FetchResponse implements Closeable {
    private final int status;
    private final List<String> head;
    private final long contentLength;
    private final InputStream body;
    private final Closeable connection;

    FetchResponse(int status, List<String> head, long contentLength, InputStream body, Closeable connection) {
        this.status = status;
        this.head = List.copyOf(head);
        this.contentLength = contentLength;
        this.body = body;
        this.connection = connection;
    }

    /** The HTTP status code. */
    public int status() {
        return status;
    }

    /** The status line and the header lines, as curl's -i shows them ("HTTP/1.1 200 OK", "Content-Type: text/html"). */
    public List<String> head() {
        return head;
    }

    /** The Content-Length, or -1 when the response did not say. */
    public long contentLength() {
        return contentLength;
    }

    /** The body, to the end of the response. */
    public InputStream body() {
        return body;
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }

    static long contentLength(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1; // only a progress bar depends on it; the body's framing was read by other rules
        }
    }
}
