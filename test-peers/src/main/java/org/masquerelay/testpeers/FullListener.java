package org.masquerelay.testpeers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback listener that never accepts, with its accept queue filled: the kernel drops further SYNs, so a
 * connection to it neither succeeds nor is refused — a target that times out, without leaving the machine.
 */
public final class FullListener implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket();
    private final List<Socket> fillers = new ArrayList<>();

    private FullListener() throws IOException {
        try {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            for (int i = 0; i < 16; i++) {
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(listener.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException full) {
                    return;
                }
            }
            throw new IOException("the accept queue of a never-accepting listener with backlog 1 did not fill up");
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    public static FullListener open() throws IOException {
        return new FullListener();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String authority() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() {
        for (Socket s : fillers) {
            try {
                s.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
