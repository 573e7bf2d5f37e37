package org.masquerelay.engine.kwik;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketAddress;
import java.net.SocketException;

import static java.lang.System.Logger.Level.WARNING;

/**
 * The server's UDP socket. Kwik's server receive loop calls {@code System.exit(9)} on any unexpected receive error
 * (docs/upstream.md); a relay must not die of one bad datagram or a transient socket error, so receive errors other
 * than "socket closed" are logged and the receive is retried here, never reaching Kwik.
 */
public final class GuardedDatagramSocket extends DatagramSocket {
    private static final System.Logger LOG = System.getLogger(GuardedDatagramSocket.class.getName());

    public GuardedDatagramSocket(SocketAddress bind) throws SocketException {
        super(bind);
    }

    @Override
    public void receive(DatagramPacket packet) throws IOException {
        int errorsInARow = 0;
        while (true) {
            try {
                super.receive(packet);
                return;
            } catch (IOException e) {
                if (isClosed() || ++errorsInARow > 1000) {
                    throw e;
                }
                LOG.log(WARNING, "UDP receive error on " + getLocalSocketAddress() + ", continuing: " + e);
            }
        }
    }
}
