package org.masquerelay.testpeers;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Reads each connection to its end (FIN) and reports the byte count and SHA-256 of what it received. */
public final class TcpSinkServer extends TcpServerBase {
    public record Received(long bytes, String sha256) {
    }

    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();

    public TcpSinkServer(InetAddress bind) {
        super(bind, "tcp-sink");
    }

    @Override
    void serve(Socket socket) throws IOException {
        MessageDigest sha = sha256();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            sha.update(buffer, 0, n);
            total += n;
        }
        received.add(new Received(total, HexFormat.of().formatHex(sha.digest())));
        socket.shutdownOutput();
    }

    /** The next connection that finished, in order of completion; null on timeout. */
    public Received awaitReceived(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
