package org.masquerelay.server;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A UDP forwarder between one client and the relay on loopback: the client connects to {@link #address()}; the
 * relay's replies go back (or, with {@code forwardReplies} false, nowhere), their first bytes remembered. Closing
 * it makes the client vanish without a word.
 */
final class UdpTap implements AutoCloseable {
    final DatagramSocket front = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    final DatagramSocket back = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    final List<Integer> replyTypes = new CopyOnWriteArrayList<>();
    final CountDownLatch clientSent = new CountDownLatch(1);
    volatile InetSocketAddress client;

    UdpTap(InetSocketAddress relay, boolean forwardReplies) throws Exception {
        Thread.ofVirtual().start(() -> pump(front, relay, true));
        if (forwardReplies) {
            Thread.ofVirtual().start(() -> pump(back, null, false));
        }
    }

    private void pump(DatagramSocket from, InetSocketAddress relay, boolean fromClient) {
        byte[] buffer = new byte[2048];
        try {
            while (true) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                from.receive(p);
                if (fromClient) {
                    client = (InetSocketAddress) p.getSocketAddress();
                    back.send(new DatagramPacket(p.getData(), p.getLength(), relay));
                    clientSent.countDown();
                } else {
                    replyTypes.add(p.getData()[0] & 0xff);
                    front.send(new DatagramPacket(p.getData(), p.getLength(), client));
                }
            }
        } catch (Exception closed) {
            // the tap is closed
        }
    }

    InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    /** RFC 9000 §17.2.5: a long header (0x80), fixed bit (0x40), type Retry (0x30) in QUIC version 1. */
    boolean sawRetry() {
        return replyTypes.stream().anyMatch(b -> (b & 0xf0) == 0xf0);
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
