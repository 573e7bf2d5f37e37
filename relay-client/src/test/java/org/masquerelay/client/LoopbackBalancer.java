package org.masquerelay.client;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A UDP load balancer on loopback, as the fleet lab's nftables one behaves for a client: a new flow (a client address
 * it has not seen) goes to the relay that takes new flows now, and keeps that relay for its life. For failover tests:
 * {@link #newFlowsTo} takes a draining relay out of the new-flow set, {@link #blackhole} makes a relay vanish as a
 * killed host does (its packets, both ways, are dropped), {@link #hold}/{@link #release} delay what a relay sends.
 */
public final class LoopbackBalancer implements AutoCloseable {
    private final DatagramSocket front;
    private final Map<SocketAddress, Flow> flows = new ConcurrentHashMap<>();
    private final Set<InetSocketAddress> dead = ConcurrentHashMap.newKeySet();
    private final Map<InetSocketAddress, List<DatagramPacket>> held = new ConcurrentHashMap<>();
    private volatile InetSocketAddress newFlows;
    private volatile boolean closed;

    public LoopbackBalancer(int relayPort) throws IOException {
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.newFlows = relay(relayPort);
        Thread.ofVirtual().name("balancer-front").start(this::fromClients);
    }

    static InetSocketAddress relay(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** The URL clients use: the balancer's address (the relays' certificates name 127.0.0.1 too). */
    public String url() {
        return "https://127.0.0.1:" + front.getLocalPort() + "/";
    }

    /** New flows go to the relay on this port from now on; existing flows keep theirs. */
    public void newFlowsTo(int relayPort) {
        newFlows = relay(relayPort);
    }

    /** How many flows (client connections) the relay on this port got. */
    public long flowsTo(int relayPort) {
        InetSocketAddress r = relay(relayPort);
        return flows.values().stream().filter(f -> f.relay.equals(r)).count();
    }

    /** Every packet from or to the relay on this port is dropped from now on: a dead host. */
    public void blackhole(int relayPort) {
        dead.add(relay(relayPort));
    }

    /** Packets the relay on this port sends are kept back until {@link #release}. */
    public void hold(int relayPort) {
        held.putIfAbsent(relay(relayPort), new ArrayList<>());
    }

    /** Sends what was held from the relay on this port, in order, and stops holding. */
    public void release(int relayPort) throws IOException {
        List<DatagramPacket> packets = held.remove(relay(relayPort));
        if (packets != null) {
            synchronized (packets) {
                for (DatagramPacket p : packets) {
                    front.send(p);
                }
            }
        }
    }

    private void fromClients() {
        byte[] buffer = new byte[65_535];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                front.receive(p);
                Flow flow = flows.computeIfAbsent(p.getSocketAddress(), this::newFlow);
                if (!dead.contains(flow.relay)) {
                    flow.socket.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), flow.relay));
                }
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private Flow newFlow(SocketAddress client) {
        try {
            Flow flow = new Flow(client, newFlows, new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            Thread.ofVirtual().name("balancer-flow").start(() -> fromRelay(flow));
            return flow;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void fromRelay(Flow flow) {
        byte[] buffer = new byte[65_535];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                flow.socket.receive(p);
                if (dead.contains(flow.relay)) {
                    continue;
                }
                DatagramPacket out = new DatagramPacket(java.util.Arrays.copyOfRange(p.getData(), p.getOffset(),
                        p.getOffset() + p.getLength()), p.getLength(), flow.client);
                List<DatagramPacket> hold = held.get(flow.relay);
                if (hold != null) {
                    synchronized (hold) {
                        if (held.get(flow.relay) == hold) {
                            hold.add(out);
                            continue;
                        }
                    }
                }
                front.send(out);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        front.close();
        flows.values().forEach(f -> f.socket.close());
    }

    private record Flow(SocketAddress client, InetSocketAddress relay, DatagramSocket socket) {}
}
