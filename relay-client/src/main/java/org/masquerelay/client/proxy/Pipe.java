package org.masquerelay.client.proxy;

import org.masquerelay.client.TcpChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** Copies bytes both ways between a local client socket and a flow, passing half-closes (FIN) through. */
final class Pipe {
    private Pipe() {}

    /**
     * Runs until both directions have ended. A clean end of one side becomes a half-close of the other; a failure
     * (a reset tunnel) aborts the client socket with RST, so the client sees an error and not a truncated success.
     *
     * @param fromClient the client's input (possibly a buffer that already holds bytes it sent)
     */
    static void run(InputStream fromClient, Socket client, TcpChannel channel) {
        Thread up = Thread.ofVirtual().start(() -> {
            try {
                copy(fromClient, channel.outputStream());
                channel.shutdownOutput();
            } catch (IOException e) {
                LocalProxy.closeQuietly(channel);
            }
        });
        try {
            copy(channel.inputStream(), client.getOutputStream());
            client.shutdownOutput();
        } catch (IOException e) {
            abort(client);
            LocalProxy.closeQuietly(channel);
        }
        try {
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LocalProxy.closeQuietly(channel);
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    /** Close with RST (SO_LINGER 0): the client must not mistake a broken tunnel for a complete answer. */
    static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        LocalProxy.closeQuietly(socket);
    }
}
