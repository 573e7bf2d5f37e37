package org.masquerelay.client.internal;

import org.masquerelay.client.UdpChannel;
import org.masquerelay.client.UdpTunnel;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * A DatagramSocket whose packets travel through a connect-udp tunnel: given to a QUIC engine as its socket, it
 * carries QUIC to the next relay of a chain, or HTTP/3 to a target (curl's --http3 through a proxy). Only what Kwik
 * calls is implemented: send, receive, close, the local address and the receive buffer size.
 */
public final class TunnelDatagramSocket extends DatagramSocket {
    private final UdpChannel tunnel;
    private volatile SocketAddress peer;

    public TunnelDatagramSocket(UdpChannel tunnel) throws SocketException {
        super((SocketAddress) null); // unbound: no UDP port of our own is ever used
        this.tunnel = tunnel;
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        peer = p.getSocketAddress();
        if (closedHere()) {
            return; // see closedHere: a datagram to nowhere, as on a UDP path that went away
        }
        tunnel.send(p.getData(), p.getOffset(), p.getLength());
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        byte[] payload;
        try {
            payload = tunnel.receive(null);
        } catch (IOException e) {
            if (closedHere()) {
                awaitEngineStop();
                throw new SocketException("socket closed");
            }
            throw new SocketException("tunnel ended: " + e.getMessage());
        }
        int n = Math.min(payload.length, p.getData().length - p.getOffset());
        System.arraycopy(payload, 0, p.getData(), p.getOffset(), n);
        p.setLength(n);
        SocketAddress from = peer;
        if (from != null) {
            p.setSocketAddress(from); // the engine expects replies from the address it sent to
        }
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return new InetSocketAddress(0);
    }

    @Override
    public int getLocalPort() {
        return 0;
    }

    @Override
    public int getReceiveBufferSize() {
        return 1 << 20;
    }

    /**
     * The tunnel's owner closed it, as it does right after closing the QUIC connection inside: Kwik then still drains
     * that connection (three PTOs after its CONNECTION_CLOSE) before it stops its threads. Until then this socket
     * drops what the engine sends and holds its receive, so that the engine finds its socket closed while it was
     * closing, which it takes quietly, instead of a failing socket, which it logs as an error with a stack trace
     * (what `fetch -v --http3` printed after every response).
     */
    private boolean closedHere() {
        return tunnel instanceof UdpTunnel t && t.isClosed() && t.failure() == null;
    }

    /** Kwik stops its receiver by interrupting it; bounded, for an engine that never does. */
    private static void awaitEngineStop() {
        try {
            Thread.sleep(ENGINE_STOP_BOUND_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final long ENGINE_STOP_BOUND_MILLIS = 10_000;

    @Override
    public void close() {
        try {
            tunnel.close();
        } catch (IOException e) {
            // a tunnel that cannot end cleanly is still ended: nothing more to do for a closing socket
        } finally {
            super.close();
        }
    }
}
