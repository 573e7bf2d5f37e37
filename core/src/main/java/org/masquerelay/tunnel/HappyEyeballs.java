package org.masquerelay.tunnel;

import org.masquerelay.wire.ProxyError;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * TCP connection racing over several addresses (RFC 8305 §5): address families interleaved, a new attempt every
 * attempt delay or as soon as the previous one fails, the first connection wins and the others are closed.
 * Each attempt is a blocking connect on its own virtual thread.
 */
public final class HappyEyeballs {

    private HappyEyeballs() {}

    private sealed interface Outcome permits Connected, Failed {}

    private record Connected(Socket socket) implements Outcome {}

    private record Failed(InetAddress address, IOException error) implements Outcome {}

    public static Socket connect(List<InetAddress> addresses, int port, Duration attemptDelay, Duration timeout) throws TunnelException {
        List<InetAddress> order = interleaveFamilies(addresses);
        long deadline = System.nanoTime() + timeout.toNanos();
        LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
        List<Socket> attempts = new ArrayList<>();
        List<Failed> failures = new ArrayList<>();
        int started = 0;
        try {
            while (true) {
                if (started < order.size() && started - failures.size() == 0) {
                    // Nothing in flight: start the next attempt now rather than after the delay.
                    attempts.add(start(order.get(started++), port, deadline, outcomes));
                }
                long remaining = deadline - System.nanoTime();
                long wait = started < order.size() ? Math.min(attemptDelay.toNanos(), remaining) : remaining;
                Outcome outcome = wait <= 0 ? null : outcomes.poll(wait, TimeUnit.NANOSECONDS);
                if (outcome instanceof Connected connected) {
                    attempts.remove(connected.socket());
                    return connected.socket();
                }
                if (outcome instanceof Failed failed) {
                    failures.add(failed);
                    if (failures.size() == order.size()) {
                        throw failure(failures, port);
                    }
                } else if (System.nanoTime() - deadline >= 0) {
                    throw new TunnelException(504, ProxyError.CONNECTION_TIMEOUT,
                            "no TCP connection to port " + port + " within " + timeout.toMillis() + " ms (" + order + ")");
                } else if (started < order.size()) {
                    attempts.add(start(order.get(started++), port, deadline, outcomes));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(503, ProxyError.PROXY_INTERNAL_ERROR, "interrupted while connecting");
        } finally {
            // Losers and attempts still in flight: closing the socket aborts its connect.
            for (Socket loser : attempts) {
                closeQuietly(loser);
            }
            for (Outcome late; (late = outcomes.poll()) != null; ) {
                if (late instanceof Connected c) {
                    closeQuietly(c.socket());
                }
            }
        }
    }

    private static Socket start(InetAddress address, int port, long deadline, LinkedBlockingQueue<Outcome> outcomes) {
        Socket socket = new Socket();
        Thread.ofVirtual().name("connect-" + address.getHostAddress()).start(() -> {
            try {
                int millis = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(address, port), millis);
                outcomes.add(new Connected(socket));
            } catch (IOException e) {
                closeQuietly(socket);
                outcomes.add(new Failed(address, e));
            }
        });
        return socket;
    }

    /** RFC 8305 §4: alternate families, starting with the family of the resolver's first answer. */
    static List<InetAddress> interleaveFamilies(List<InetAddress> addresses) {
        if (addresses.isEmpty()) {
            return addresses;
        }
        boolean firstIsV6 = addresses.get(0) instanceof Inet6Address;
        List<InetAddress> preferred = new ArrayList<>();
        List<InetAddress> other = new ArrayList<>();
        for (InetAddress a : addresses) {
            ((a instanceof Inet6Address) == firstIsV6 ? preferred : other).add(a);
        }
        List<InetAddress> order = new ArrayList<>(addresses.size());
        for (int i = 0; i < Math.max(preferred.size(), other.size()); i++) {
            if (i < preferred.size()) {
                order.add(preferred.get(i));
            }
            if (i < other.size()) {
                order.add(other.get(i));
            }
        }
        return order;
    }

    /** The answer for the most telling failure: refused beats unreachable beats timeout beats the rest. */
    private static TunnelException failure(List<Failed> failures, int port) {
        String what = failures.size() == 1
                ? failures.get(0).address().getHostAddress() + " port " + port
                : failures.size() + " addresses, port " + port;
        for (Failed f : failures) {
            if (f.error() instanceof ConnectException && !(f.error() instanceof NoRouteToHostException)) {
                return new TunnelException(502, ProxyError.CONNECTION_REFUSED, "connection refused by " + what);
            }
        }
        for (Failed f : failures) {
            if (f.error() instanceof NoRouteToHostException) {
                return new TunnelException(502, ProxyError.DESTINATION_IP_UNROUTABLE, "no route to " + what);
            }
        }
        for (Failed f : failures) {
            if (f.error() instanceof SocketTimeoutException) {
                return new TunnelException(504, ProxyError.CONNECTION_TIMEOUT, "connection to " + what + " timed out");
            }
        }
        return new TunnelException(502, ProxyError.DESTINATION_UNAVAILABLE,
                "cannot connect to " + what + ": " + failures.get(0).error().getMessage());
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing an attempt we no longer want.
        }
    }
}
