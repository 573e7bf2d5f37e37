package org.masquerelay.testpeers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * A UDP path on loopback between one client and a server, with what a loaded machine does to packets made
 * repeatable: server-to-client datagrams cross a link of fixed one-way delay and rate, queueing behind each other
 * (so a sender has a window of packets in flight, spread out in time, as when the receiver is slow to be scheduled),
 * chosen ones are lost, and one may arrive late, after some
 * that were sent after it (a receiver whose application lags reads it only once later packets are in). Client-to-server
 * datagrams pass straight through. The client sends to {@link #address()}; the server sees the path's own socket as
 * the client.
 */
public final class LossyUdpPath implements AutoCloseable {
    private final DatagramSocket front;
    private final DatagramSocket back;
    private final Duration delay;
    private final long nanosPerByte;
    private long linkFreeAt;
    private final LongPredicate dropServerToClient;
    private final long lateIndex;
    private final long lateUntil;
    private byte[] late;
    private final DelayQueue<Held> delayLine = new DelayQueue<>();
    private final AtomicLong serverToClient = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong order = new AtomicLong();
    private volatile SocketAddress client;
    private final Thread[] threads;

    /**
     * @param server             where client datagrams go (loopback)
     * @param delay              one-way delay of every server-to-client datagram
     * @param dropServerToClient given the 0-based index of a server-to-client datagram, true to lose it
     */
    public LossyUdpPath(InetSocketAddress server, Duration delay, LongPredicate dropServerToClient) {
        this(server, delay, 0, dropServerToClient, -1, 0);
    }

    /**
     * @param bytesPerSecond rate of the server-to-client link (0: unlimited)
     * @param lateIndex      index of a server-to-client datagram that arrives late, or -1 for none
     * @param lateBy         it arrives right after the datagram this many indices after it (lost ones count)
     */
    public LossyUdpPath(InetSocketAddress server, Duration delay, long bytesPerSecond, LongPredicate dropServerToClient,
                        long lateIndex, int lateBy) {
        if (!server.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("test paths run on loopback only: " + server);
        }
        this.delay = delay;
        this.nanosPerByte = bytesPerSecond <= 0 ? 0 : 1_000_000_000L / bytesPerSecond;
        this.dropServerToClient = dropServerToClient;
        this.lateIndex = lateIndex;
        this.lateUntil = lateIndex < 0 ? -1 : lateIndex + lateBy;
        try {
            front = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
            back = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
            back.connect(server);
            // Bursts wait here, not in the kernel: the loss is exactly what the predicate says.
            front.setReceiveBufferSize(4 << 20);
            back.setReceiveBufferSize(4 << 20);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
        threads = new Thread[] {
                Thread.ofPlatform().daemon().name("lossy-path-up").start(this::clientToServer),
                Thread.ofPlatform().daemon().name("lossy-path-down").start(this::serverToClient),
                Thread.ofPlatform().daemon().name("lossy-path-delay").start(this::deliver),
        };
    }

    /** Where the client sends. */
    public InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    /** Server-to-client datagrams lost so far. */
    public long dropped() {
        return dropped.get();
    }

    /** Server-to-client datagrams seen so far (lost or not). */
    public long serverToClientDatagrams() {
        return serverToClient.get();
    }

    private void clientToServer() {
        byte[] buffer = new byte[65535];
        while (!front.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                front.receive(packet);
                client = packet.getSocketAddress();
                back.send(new DatagramPacket(packet.getData(), packet.getOffset(), packet.getLength()));
            } catch (IOException e) {
                if (front.isClosed()) {
                    return;
                }
            }
        }
    }

    private void serverToClient() {
        byte[] buffer = new byte[65535];
        while (!back.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                back.receive(packet);
            } catch (IOException e) {
                if (back.isClosed()) {
                    return;
                }
                continue;
            }
            long index = serverToClient.getAndIncrement();
            byte[] copy = Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
            if (index == lateIndex) {
                late = copy;
            } else if (dropServerToClient.test(index)) {
                dropped.incrementAndGet();
            } else {
                send(copy);
            }
            if (index == lateUntil && late != null) {
                send(late);
                late = null;
            }
        }
    }

    /** Onto the link: it leaves when the link is free (rate), and arrives one delay later. */
    private void send(byte[] datagram) {
        long now = System.nanoTime();
        linkFreeAt = Math.max(linkFreeAt, now) + datagram.length * nanosPerByte;
        delayLine.add(new Held(linkFreeAt + delay.toNanos(), order.getAndIncrement(), datagram));
    }

    private void deliver() {
        while (!front.isClosed()) {
            try {
                Held held = delayLine.take();
                SocketAddress to = client;
                if (to != null) {
                    front.send(new DatagramPacket(held.data, held.data.length, to));
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                if (front.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        if (front != null) {
            front.close();
        }
        if (back != null) {
            back.close();
        }
        if (threads != null) {
            for (Thread t : threads) {
                t.interrupt();
            }
        }
    }

    /** A datagram on the delay line, in arrival order. */
    private record Held(long dueNanos, long order, byte[] data) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Held o = (Held) other;
            int byTime = Long.compare(dueNanos, o.dueNanos);
            return byTime != 0 ? byTime : Long.compare(order, o.order);
        }
    }
}
