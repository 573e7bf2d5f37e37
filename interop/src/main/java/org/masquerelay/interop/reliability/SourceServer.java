package org.masquerelay.interop.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP target that sends {@code length} bytes of the {@link Payload} of {@code seed} to every connection and
 * then ends it: with FIN, or -- when {@code resetAfter} is set -- with a TCP reset after that many bytes (SO_LINGER 0),
 * which is how a target that crashes mid-transfer looks on the wire.
 */
final class SourceServer implements AutoCloseable {
    private final ServerSocket server;
    private final long length;
    private final long seed;
    private final long resetAfter;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final CountDownLatch resetWhen;

    SourceServer(long length, long seed, long resetAfter) {
        this(length, seed, resetAfter, new CountDownLatch(0));
    }

    /**
     * @param resetWhen with resetAfter: the reset waits (30 s at most) for this latch, so that it comes when the client
     *                  has seen part of the data -- mid-transfer, not before the relay has even read
     */
    SourceServer(long length, long seed, long resetAfter, CountDownLatch resetWhen) {
        this.resetWhen = resetWhen;
        this.length = length;
        this.seed = seed;
        this.resetAfter = resetAfter;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("source-accept").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            Payload payload = new Payload(seed);
            byte[] buffer = new byte[16 * 1024];
            OutputStream out = socket.getOutputStream();
            long limit = resetAfter >= 0 ? Math.min(resetAfter, length) : length;
            for (long sent = 0; sent < limit; ) {
                int n = (int) Math.min(buffer.length, limit - sent);
                payload.fill(buffer, 0, n);
                out.write(buffer, 0, n);
                sent += n;
            }
            out.flush();
            if (resetAfter >= 0) {
                resetWhen.await(30, TimeUnit.SECONDS);
                socket.setSoLinger(true, 0); // close() now sends RST
            }
        } catch (IOException e) {
            // the relay went away first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sockets.remove(socket);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
