package org.masquerelay.client.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * The UDP socket of a direct hop, connected to the relay so that an ICMP "port unreachable" surfaces
 * ({@link PortUnreachableException}) instead of a silent handshake timeout: "nothing listens there" and "no
 * answer" are different problems for the person running the relay. Kwik may address its packets to another
 * address of the same name; they are sent to the connected address regardless, and replies are labelled with the
 * address Kwik used.
 */
public final class ProbedDatagramSocket extends DatagramSocket {
    private volatile boolean portUnreachable;
    private volatile SocketAddress kwikDestination;

    public ProbedDatagramSocket(InetSocketAddress relay) throws SocketException {
        super();
        connect(relay);
    }

    public boolean portUnreachable() {
        return portUnreachable;
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        kwikDestination = p.getSocketAddress();
        super.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength()));
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        try {
            super.receive(p);
        } catch (PortUnreachableException e) {
            portUnreachable = true;
            throw e;
        }
        SocketAddress destination = kwikDestination;
        if (destination != null) {
            p.setSocketAddress(destination);
        }
    }
}
