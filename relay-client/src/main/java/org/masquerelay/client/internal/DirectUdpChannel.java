package org.masquerelay.client.internal;

import org.masquerelay.client.DatagramTooLargeException;
import org.masquerelay.client.Route;
import org.masquerelay.client.UdpChannel;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/** A UDP flow the route policy sends direct: a DatagramSocket connected to the target. */
public final class DirectUdpChannel implements UdpChannel {
    private static final int MAX = 65507;
    private final DatagramSocket socket;
    private final Route route;

    public DirectUdpChannel(DatagramSocket socket, Route route) {
        this.socket = socket;
        this.route = route;
    }

    @Override
    public void send(byte[] payload, int offset, int length) throws IOException {
        if (length > MAX) {
            throw new DatagramTooLargeException(length, MAX, "a UDP datagram");
        }
        socket.send(new DatagramPacket(payload, offset, length));
    }

    @Override
    public synchronized byte[] receive(Duration timeout) throws IOException {
        byte[] buffer = new byte[65536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.setSoTimeout(timeout == null ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buffer, packet.getLength());
    }

    @Override
    public int maxPayloadSize() {
        return MAX;
    }

    @Override
    public void awaitEstablished() {
        // Nothing to wait for.
    }

    @Override
    public Route route() {
        return route;
    }

    @Override
    public void close() {
        socket.close();
    }
}
