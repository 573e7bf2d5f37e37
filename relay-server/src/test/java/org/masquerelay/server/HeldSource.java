package org.masquerelay.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP target that sends the first part of its content, then holds until {@link #release()}, then the rest and FIN:
 * a download that is certainly still running while a test does something to the relay. Content is fixed pseudo-random
 * bytes ({@link #content()}), so the receiver can compare what arrived byte for byte.
 */
final class HeldSource implements AutoCloseable {
    private final ServerSocket server;
    private final byte[] content;
    private final int firstPart;
    private final CountDownLatch released = new CountDownLatch(1);

    HeldSource(int length, int firstPart) throws IOException {
        this.content = new byte[length];
        new Random(length).nextBytes(content);
        this.firstPart = firstPart;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(this::serve);
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> send(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void send(Socket socket) {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write(content, 0, firstPart);
            out.flush();
            released.await();
            out.write(content, firstPart, content.length - firstPart);
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | InterruptedException ended) {
            // the relay closed the tunnel, or the test ended
        }
    }

    String authority() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    byte[] content() {
        return content.clone();
    }

    int firstPart() {
        return firstPart;
    }

    /** Lets every connection send the rest of the content and FIN. */
    void release() {
        released.countDown();
    }

    @Override
    public void close() throws IOException {
        released.countDown();
        server.close();
    }
}
