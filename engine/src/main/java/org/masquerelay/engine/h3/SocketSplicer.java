package org.masquerelay.engine.h3;

import org.masquerelay.engine.RequestStream;
import org.masquerelay.engine.TcpSplicer;
import org.masquerelay.engine.TcpTarget;
import org.masquerelay.engine.TunnelMeter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link TcpSplicer} of engines whose streams are blocking {@code InputStream}/{@code OutputStream}s (Kwik): a
 * blocking connect on a virtual thread per attempt, then {@link SocketSplice}'s two copying threads.
 */
public final class SocketSplicer implements TcpSplicer {
    private final RequestStream stream;

    public SocketSplicer(RequestStream stream) {
        this.stream = stream;
    }

    @Override
    public CompletableFuture<TcpTarget> connect(InetSocketAddress address, Duration timeout) {
        CompletableFuture<TcpTarget> attempt = new CompletableFuture<>();
        Socket socket = new Socket();
        // Closing the socket is the only way to abort a blocking connect.
        attempt.whenComplete((target, failure) -> {
            if (attempt.isCancelled()) {
                closeQuietly(socket);
            }
        });
        Thread.ofVirtual().name("connect-" + address.getAddress().getHostAddress()).start(() -> {
            try {
                socket.setTcpNoDelay(true);
                socket.connect(address, (int) Math.max(1, timeout.toMillis()));
                if (!attempt.complete(new SocketTarget(socket))) {
                    closeQuietly(socket);
                }
            } catch (IOException e) {
                closeQuietly(socket);
                attempt.completeExceptionally(e);
            }
        });
        return attempt;
    }

    @Override
    public void splice(TcpTarget target, Duration idleTimeout, TunnelMeter meter) {
        new SocketSplice(stream, ((SocketTarget) target).socket(), idleTimeout, meter).run();
    }

    private record SocketTarget(Socket socket) implements TcpTarget {
        @Override
        public InetSocketAddress remoteAddress() {
            return (InetSocketAddress) socket.getRemoteSocketAddress();
        }

        @Override
        public void close() {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // An attempt or a connection we no longer want.
        }
    }
}
