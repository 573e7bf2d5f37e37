package org.masquerelay.testpeers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A loopback TCP server on an ephemeral port: one virtual thread per connection; close() closes every socket. */
abstract class TcpServerBase implements AutoCloseable {
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    TcpServerBase(InetAddress bind, String name) {
        if (!bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("test servers bind to loopback only: " + bind);
        }
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(bind, 0), 128);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofVirtual().name(name + "-accept").start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            sockets.add(socket);
            Thread.ofVirtual().start(() -> {
                try (socket) {
                    serve(socket);
                } catch (IOException ignored) {
                    // the peer went away or close() closed the socket: nothing to report
                } finally {
                    sockets.remove(socket);
                }
            });
        }
    }

    /** Handles one connection; the socket is closed afterwards. */
    abstract void serve(Socket socket) throws IOException;

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** host:port as a CONNECT authority, IPv6 in brackets. */
    public String authority() {
        return authority(server.getInetAddress(), port());
    }

    /** host:port with IPv6 in brackets and the loopback written the usual way, [::1]. */
    static String authority(InetAddress address, int port) {
        if (address instanceof java.net.Inet6Address) {
            String host = address.isLoopbackAddress() ? "::1" : address.getHostAddress();
            return "[" + host + "]:" + port;
        }
        return address.getHostAddress() + ":" + port;
    }

    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Connections currently open. */
    public int openConnections() {
        return sockets.size();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        // The listening socket is only really closed once the blocked accept() has let go of it.
        try {
            acceptor.join(java.time.Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
