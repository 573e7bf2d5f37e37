package org.masquerelay.interop.variants;

import org.masquerelay.server.RelayServer;
import org.masquerelay.server.RelaySettings;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * Our relay as a device sees it on a network that drops UDP (hotels, enterprises): at the relay URL's port, UDP goes
 * into a socket that reads and discards every packet (no QUIC handshake ever completes, and no ICMP tells the client
 * so), while TCP at the same port number reaches the relay's TLS-over-TCP listener, or nothing when the relay serves
 * HTTP/3 only. The relay's real UDP listener sits on another port the device does not know.
 */
public final class UdpBlockedRelay implements AutoCloseable {
    private final DatagramSocket dropper;
    private final RelayServer relay;
    private final Thread reader;

    private UdpBlockedRelay(DatagramSocket dropper, RelayServer relay) {
        this.dropper = dropper;
        this.relay = relay;
        this.reader = Thread.ofVirtual().name("udp-dropper").start(() -> {
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            while (!dropper.isClosed()) {
                try {
                    dropper.receive(p); // and dropped
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    /**
     * @param settings our relay's settings (its listeners are replaced here)
     * @param withTcp  whether the relay serves HTTP/2 on TCP at the URL's port ({@code tcp-listen}), or HTTP/3 only
     */
    public static UdpBlockedRelay start(RelaySettings settings, boolean withTcp) throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        BindException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            DatagramSocket dropper = new DatagramSocket(new InetSocketAddress(lo, 0));
            InetSocketAddress url = new InetSocketAddress(lo, dropper.getLocalPort());
            try {
                if (!withTcp) {
                    // Nobody may listen on TCP at the URL's port: bind it once to be sure it is free, then leave it so.
                    new ServerSocket(url.getPort(), 1, lo).close();
                }
                RelaySettings s = settings.newBuilder().listen(List.of(new InetSocketAddress(lo, 0)))
                        .tcpListen(withTcp ? List.of(url) : List.of()).build();
                return new UdpBlockedRelay(dropper, RelayServer.start(s));
            } catch (BindException e) {
                // The UDP port's number is taken on TCP: another number.
                dropper.close();
                last = e;
            } catch (IOException | RuntimeException e) {
                dropper.close();
                throw e;
            }
        }
        throw last;
    }

    /** The relay URL's address: UDP dropped there, TCP to the relay's TCP listener (if any). */
    public InetSocketAddress address() {
        return (InetSocketAddress) dropper.getLocalSocketAddress();
    }

    @Override
    public void close() {
        dropper.close();
        relay.close();
        reader.interrupt();
    }
}
