package org.masquerelay.testpeers;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Sends {@code length} deterministic pseudo-random bytes to every connection, then FIN. {@link #sha256()} is the
 * digest of that content, so a receiver can check it without holding a copy.
 */
public final class TcpSourceServer extends TcpServerBase {
    private final long length;
    private final long seed;

    public TcpSourceServer(InetAddress bind, long length) {
        this(bind, length, 0x5eed);
    }

    public TcpSourceServer(InetAddress bind, long length, long seed) {
        super(bind, "tcp-source");
        this.length = length;
        this.seed = seed;
    }

    @Override
    void serve(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        Content content = new Content(seed);
        byte[] chunk = new byte[64 * 1024];
        for (long left = length; left > 0; ) {
            int n = (int) Math.min(chunk.length, left);
            content.fill(chunk, n);
            out.write(chunk, 0, n);
            left -= n;
        }
        out.flush();
        socket.shutdownOutput();
        // Drain until the peer closes, so a close does not turn into a RST that drops unsent bytes.
        socket.getInputStream().transferTo(OutputStream.nullOutputStream());
    }

    public long length() {
        return length;
    }

    /** SHA-256 of the bytes every connection receives. */
    public String sha256() {
        MessageDigest sha = TcpSinkServer.sha256();
        Content content = new Content(seed);
        byte[] chunk = new byte[64 * 1024];
        for (long left = length; left > 0; ) {
            int n = (int) Math.min(chunk.length, left);
            content.fill(chunk, n);
            sha.update(chunk, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** A fast deterministic byte generator (xorshift64). */
    private static final class Content {
        private long x;

        Content(long seed) {
            x = seed == 0 ? 1 : seed;
        }

        void fill(byte[] b, int n) {
            for (int i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                b[i] = (byte) x;
            }
        }
    }
}
