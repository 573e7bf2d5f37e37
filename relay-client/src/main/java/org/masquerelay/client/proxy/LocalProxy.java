package org.masquerelay.client.proxy;

import org.masquerelay.client.RelayClient;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Local front ends that let unmodified programs use the relay: SOCKS5 (RFC 1928: CONNECT, UDP ASSOCIATE over
 * connect-udp) and an HTTP proxy (CONNECT, plus absolute-form http:// requests). One virtual thread per client
 * connection and direction; every socket and tunnel is tracked so that {@link #close()} ends them all. Flows are
 * routed by the client's route policy (relayed or direct).
 */
public final class LocalProxy implements AutoCloseable {
    private final RelayClient client;
    private final Consumer<String> log;
    private final List<ServerSocket> listeners = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private InetSocketAddress socksAddress;
    private InetSocketAddress httpAddress;

    private LocalProxy(RelayClient client, Consumer<String> log) {
        this.client = client;
        this.log = log;
    }

    /**
     * Binds the requested front ends (null = not wanted; port 0 = any free port) and starts accepting.
     *
     * @param log receives one line per flow and per failure (for -v); may be {@code s -> {}}
     */
    public static LocalProxy start(RelayClient client, InetSocketAddress socks5, InetSocketAddress http, Consumer<String> log) throws IOException {
        LocalProxy proxy = new LocalProxy(client, log);
        try {
            if (socks5 != null) {
                proxy.socksAddress = proxy.listen(socks5, "socks5", s -> new Socks5Session(proxy, s).run());
            }
            if (http != null) {
                proxy.httpAddress = proxy.listen(http, "http", s -> new HttpProxySession(proxy, s).run());
            }
        } catch (IOException e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    /** Where the SOCKS5 front end listens, or null. */
    public InetSocketAddress socks5Address() {
        return socksAddress;
    }

    /** Where the HTTP proxy front end listens, or null. */
    public InetSocketAddress httpAddress() {
        return httpAddress;
    }

    /** Flows (client sockets, tunnels, UDP sockets) currently open. */
    public int openResources() {
        return open.size();
    }

    RelayClient client() {
        return client;
    }

    void log(String line) {
        log.accept(line);
    }

    /** Tracks a resource until {@link #release}; closes it at once if the proxy is already closed. */
    <T extends Closeable> T track(T resource) {
        open.add(resource);
        if (closed) {
            closeQuietly(resource);
        }
        return resource;
    }

    void release(Closeable resource) {
        open.remove(resource);
        closeQuietly(resource);
    }

    private InetSocketAddress listen(InetSocketAddress address, String name, Consumer<Socket> handler) throws IOException {
        ServerSocket server = new ServerSocket();
        listeners.add(server);
        try {
            server.bind(address, 128);
        } catch (java.net.BindException e) {
            // The JDK says "Address already in use" without saying which: name the front end and its address.
            java.net.BindException named = new java.net.BindException(name + " on "
                    + org.masquerelay.display.Addresses.format(address) + ": " + (e.getMessage() == null ? "cannot bind"
                    : e.getMessage().toLowerCase(java.util.Locale.ROOT)));
            named.initCause(e);
            throw named;
        }
        acceptors.add(Thread.ofVirtual().name(name + "-accept").start(() -> {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                track(socket);
                Thread.ofVirtual().name(name + "-" + socket.getPort()).start(() -> {
                    try {
                        handler.accept(socket);
                    } catch (RuntimeException e) {
                        log(name + ": " + e); // a bad client never takes the proxy down
                    } finally {
                        release(socket);
                    }
                });
            }
        }));
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Stops accepting and closes every client socket, tunnel and UDP socket. */
    @Override
    public void close() {
        closed = true;
        listeners.forEach(LocalProxy::closeQuietly);
        // A virtual thread blocked in accept() holds the listening socket open until it returns: wait for that.
        for (Thread t : acceptors) {
            try {
                t.join(java.time.Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Closeable c : open) {
            closeQuietly(c);
        }
        open.clear();
    }

    static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
    }
}
