package org.masquerelay.engine;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which new connections a relay takes, per client: at most so many at once from one address and so many new ones a
 * second (a token bucket), so that one client cannot take every connection slot the relay has. An IPv6 client is
 * counted by its /64, which one host commonly holds whole. Shared by every listener of the relay; both engines ask
 * it once a handshake completes and close a refused connection cleanly (H3_EXCESSIVE_LOAD with the reason).
 */
public final class ClientAdmission {
    /** Admissions between sweeps of addresses that hold nothing any more. */
    private static final int SWEEP_EVERY = 1024;

    private final int connectionsPerAddress;
    private final int newPerSecond;
    private final Map<InetAddress, PerAddress> clients = new ConcurrentHashMap<>();
    private final AtomicLong admissions = new AtomicLong();

    /**
     * @param connectionsPerAddress concurrent connections from one address (0: no limit)
     * @param newPerSecond          new connections a second from one address, bursts of twice it (0: no limit)
     */
    public ClientAdmission(int connectionsPerAddress, int newPerSecond) {
        this.connectionsPerAddress = connectionsPerAddress;
        this.newPerSecond = newPerSecond;
    }

    public static ClientAdmission unlimited() {
        return new ClientAdmission(0, 0);
    }

    private static final class PerAddress {
        final AtomicInteger open = new AtomicInteger();
        final TokenBucket newConnections;

        PerAddress(int perSecond) {
            newConnections = new TokenBucket(perSecond, 2 * perSecond);
        }
    }

    /**
     * A connection from {@code address} has completed its handshake: empty when it is admitted (then
     * {@link #released} must follow when it ends), else why not, for the close reason and the log.
     */
    public Optional<String> admit(InetAddress address) {
        if (connectionsPerAddress == 0 && newPerSecond == 0) {
            return Optional.empty();
        }
        if (admissions.incrementAndGet() % SWEEP_EVERY == 0) {
            clients.values().removeIf(c -> c.open.get() == 0 && c.newConnections.isFull());
        }
        PerAddress client = clients.computeIfAbsent(key(address), a -> new PerAddress(newPerSecond));
        if (!client.newConnections.tryTake()) {
            return Optional.of("more than " + newPerSecond + " new connections a second from " + describe(address));
        }
        if (connectionsPerAddress > 0 && client.open.incrementAndGet() > connectionsPerAddress) {
            client.open.decrementAndGet();
            return Optional.of(connectionsPerAddress + " connections from " + describe(address) + " open already");
        }
        if (connectionsPerAddress == 0) {
            client.open.incrementAndGet();
        }
        return Optional.empty();
    }

    /** An admitted connection from {@code address} has ended. */
    public void released(InetAddress address) {
        if (connectionsPerAddress == 0 && newPerSecond == 0) {
            return;
        }
        PerAddress client = clients.get(key(address));
        if (client != null) {
            client.open.decrementAndGet();
        }
    }

    /** Connections open from {@code address} (its /64 for IPv6), as counted here. */
    public int open(InetAddress address) {
        PerAddress client = clients.get(key(address));
        return client == null ? 0 : client.open.get();
    }

    /** IPv4 as is (an IPv4-mapped IPv6 address is IPv4 already in Java); IPv6 by its /64. */
    static InetAddress key(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(address.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return address;
    }

    private static String describe(InetAddress address) {
        return address instanceof Inet4Address ? "this address" : "this /64";
    }
}
