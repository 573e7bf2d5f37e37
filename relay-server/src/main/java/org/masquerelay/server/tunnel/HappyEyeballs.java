package org.masquerelay.server.tunnel;

import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.ProxyError;

import org.masquerelay.engine.TcpSplicer;
import org.masquerelay.engine.TcpTarget;

import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * TCP connection racing over several addresses (RFC 8305 §5): address families interleaved, a new attempt every
 * attempt delay or as soon as the previous one fails, the first connection wins and the others are abandoned. The
 * attempts themselves are the engine's ({@link TcpSplicer#connect}): blocking sockets on virtual threads, or
 * non-blocking connects on an event loop; the racing is the same.
 */
public final class HappyEyeballs {

    private HappyEyeballs() {}

    private record Outcome(InetAddress address, CompletableFuture<TcpTarget> attempt, TcpTarget target, Throwable error) {}

    private record Failed(InetAddress address, Throwable error) {}

    public static TcpTarget connect(List<InetAddress> addresses, int port, Duration attemptDelay, Duration timeout,
                                    TcpSplicer splicer) throws Refusal {
        List<InetAddress> order = interleaveFamilies(addresses);
        long deadline = System.nanoTime() + timeout.toNanos();
        LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
        List<CompletableFuture<TcpTarget>> attempts = new ArrayList<>();
        List<Failed> failures = new ArrayList<>();
        CompletableFuture<TcpTarget> winner = null;
        int started = 0;
        try {
            while (true) {
                if (started < order.size() && started - failures.size() == 0) {
                    // Nothing in flight: start the next attempt now rather than after the delay.
                    attempts.add(start(splicer, order.get(started++), port, deadline, outcomes));
                }
                long remaining = deadline - System.nanoTime();
                long wait = started < order.size() ? Math.min(attemptDelay.toNanos(), remaining) : remaining;
                Outcome outcome = wait <= 0 ? null : outcomes.poll(wait, TimeUnit.NANOSECONDS);
                if (outcome != null && outcome.target() != null) {
                    winner = outcome.attempt();
                    return outcome.target();
                }
                if (outcome != null) {
                    failures.add(new Failed(outcome.address(), outcome.error()));
                    if (failures.size() == order.size()) {
                        throw failure(failures, port);
                    }
                } else if (System.nanoTime() - deadline >= 0) {
                    throw new Refusal(504, ProxyError.CONNECTION_TIMEOUT,
                            "no TCP connection to port " + port + " within " + timeout.toMillis() + " ms (" + order + ")");
                } else if (started < order.size()) {
                    attempts.add(start(splicer, order.get(started++), port, deadline, outcomes));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(503, ProxyError.PROXY_INTERNAL_ERROR, "interrupted while connecting");
        } finally {
            // Losers: attempts still in flight are abandoned (their sockets closed), late winners closed.
            for (CompletableFuture<TcpTarget> loser : attempts) {
                if (loser != winner) {
                    loser.cancel(false);
                    loser.thenAccept(TcpTarget::close);
                }
            }
        }
    }

    private static CompletableFuture<TcpTarget> start(TcpSplicer splicer, InetAddress address, int port, long deadline,
                                                      LinkedBlockingQueue<Outcome> outcomes) {
        Duration left = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
        CompletableFuture<TcpTarget> attempt = splicer.connect(new InetSocketAddress(address, port), left);
        attempt.whenComplete((target, error) -> {
            if (!attempt.isCancelled()) {
                outcomes.add(new Outcome(address, attempt, target, error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error));
            }
        });
        return attempt;
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
    private static Refusal failure(List<Failed> failures, int port) {
        String what = failures.size() == 1
                ? failures.get(0).address().getHostAddress() + " port " + port
                : failures.size() + " addresses, port " + port;
        for (Failed f : failures) {
            // The relay's own shortage (no descriptor for the socket) says nothing about the destination.
            var exhausted = ResourceExhaustion.of(f.error());
            if (exhausted.isPresent()) {
                return exhausted.get();
            }
        }
        for (Failed f : failures) {
            if (f.error() instanceof ConnectException && !(f.error() instanceof NoRouteToHostException)) {
                return new Refusal(502, ProxyError.CONNECTION_REFUSED, "connection refused by " + what);
            }
        }
        for (Failed f : failures) {
            if (f.error() instanceof NoRouteToHostException) {
                return new Refusal(502, ProxyError.DESTINATION_IP_UNROUTABLE, "no route to " + what);
            }
        }
        for (Failed f : failures) {
            if (f.error() instanceof SocketTimeoutException) {
                return new Refusal(504, ProxyError.CONNECTION_TIMEOUT, "connection to " + what + " timed out");
            }
        }
        return new Refusal(502, ProxyError.DESTINATION_UNAVAILABLE,
                "cannot connect to " + what + ": " + failures.get(0).error());
    }

}
