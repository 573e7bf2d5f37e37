package org.masquerelay.testpeers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/** Echoes each datagram to its sender, on loopback and an ephemeral port, and counts them. */
public final class UdpEchoServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final AtomicInteger datagrams = new AtomicInteger();
    private final Thread loop;

    public UdpEchoServer(InetAddress bind) {
        if (!bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("test servers bind to loopback only: " + bind);
        }
        try {
            socket = new DatagramSocket(new InetSocketAddress(bind, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        loop = Thread.ofVirtual().name("udp-echo").start(this::run);
    }

    private void run() {
        byte[] buffer = new byte[65535];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                datagrams.incrementAndGet();
                socket.send(new DatagramPacket(packet.getData(), packet.getOffset(), packet.getLength(),
                        packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
                // A send error (e.g. ICMP unreachable reported on loopback) must not stop the echo.
            }
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** host:port as used in a connect-udp path or a CONNECT authority, IPv6 in brackets. */
    public String authority() {
        return TcpServerBase.authority(socket.getLocalAddress(), port());
    }

    public int datagramsReceived() {
        return datagrams.get();
    }

    @Override
    public void close() {
        socket.close();
        try {
            loop.join(java.time.Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
