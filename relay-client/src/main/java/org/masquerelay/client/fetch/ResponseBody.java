package org.masquerelay.client.fetch;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response's bytes as they arrive, in one of two roles: {@link #observed} tells the listener about the first byte
 * (of the head, for time_starttransfer); {@link #typed} counts the body and turns a failure to read on into the typed
 * reason (the relay's, when it lost the tunnel; else the target's, saying how far the body got).
 */
final class ResponseBody extends FilterInputStream {
    /** Explains a failed read after {@code received} body bytes. */
    interface Explain {
        IOException explain(IOException e, long received);
    }

    private final FetchListener listener;
    private final Explain explain;
    private boolean started;
    private long received;

    private ResponseBody(InputStream in, FetchListener listener, Explain explain) {
        super(in);
        this.listener = listener;
        this.explain = explain;
    }

    static InputStream observed(InputStream in, FetchListener listener) {
        return new ResponseBody(in, listener, null);
    }

    static InputStream typed(InputStream in, Explain explain) {
        return new ResponseBody(in, null, explain);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = super.read(b, off, len);
        } catch (IOException e) {
            throw explain == null ? e : explain.explain(e, received);
        }
        if (n > 0) {
            received += n;
            if (!started && listener != null) {
                started = true;
                listener.firstByte();
            }
        }
        return n;
    }
}
