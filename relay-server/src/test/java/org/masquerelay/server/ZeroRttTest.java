package org.masquerelay.server;

import org.masquerelay.testpeers.RawH3;
import org.masquerelay.testpeers.TcpEchoServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.masquerelay.server.config.QuicEngine;
import org.junit.jupiter.api.io.TempDir;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicSessionTicket;
import tech.kwik.core.QuicStream;
import tech.kwik.core.log.NullLogger;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONNECT is not replay-safe (RFC 9114 §10.9): a tunnel must never be opened from 0-RTT data alone. Kwik's server
 * accepts 0-RTT unconditionally, so the relay holds requests of a connection started by 0-RTT until its handshake
 * completes. Here a client resumes with a CONNECT in 0-RTT (which must work), and its recorded first flight is then
 * replayed from another socket (which must not reach the target).
 */
class ZeroRttTest {
    @TempDir
    Path dir;

    @Test
    void earlyDataTunnelWaitsForTheHandshakeAndAReplayOpensNothing() throws Exception {
        Assumptions.assumeTrue(RelayFixture.ENGINE == QuicEngine.KWIK, "Kwik-only: the 0-RTT hold is the Kwik "
                + "engine's (the quiche engine accepts no early data at all), and this test drives Kwik's client and logs");
        // Resuming with a CONNECT in 0-RTT: the relay must see the 0-RTT start, hold the request, then serve it.
        HeldStarts held = HeldStarts.install();
        try (RelayFixture relay = RelayFixture.start(dir);
             TcpEchoServer echo = new TcpEchoServer(InetAddress.getByName("127.0.0.1"));
             RecordingUdpProxy proxy = new RecordingUdpProxy(relay.address())) {
            byte[] request = connectRequest("127.0.0.1:" + echo.port(), "early bytes".getBytes());
            // Whether Kwik's server takes the early data depends on packet timing (0-RTT packets it processes
            // before accepting the PSK are dropped and the client resends them after the handshake), so resume
            // until one attempt really started in 0-RTT; every attempt's tunnel must work either way.
            int attempts = 0;
            while (held.count() == 0 && attempts < 5) {
                attempts++;
                QuicSessionTicket ticket = ticketFrom(relay.address());
                proxy.forgetRecording();
                QuicClientConnection resumed = client(proxy.address()).sessionTicket(ticket).build();
                List<QuicStream> streams = resumed.connect(List.of(new QuicClientConnection.StreamEarlyData(request, false)));
                assertEquals(1, streams.size());
                // HEADERS(:status 200) then the echoed DATA: read until the echo shows up.
                assertTrue(readUntil(streams.get(0).getInputStream(), "early bytes"), "the request is served");
                assertEquals(attempts, echo.connectionsAccepted());
                resumed.close();
            }
            assertTrue(held.count() >= 1, "the relay saw a 0-RTT start and held its request (" + attempts + " attempts)");
            int tunnels = echo.connectionsAccepted();

            // An attacker replays the client's first flight (Initial + 0-RTT) from elsewhere.
            // Replayed repeatedly, as an attacker would, also after the relay has dropped the original connection.
            for (int attempt = 0; attempt < 5; attempt++) {
                proxy.replayFirstFlight();
            }
            // Kwik's TLS layer takes each ticket once, so a replay falls back to a full handshake without early data;
            // and were early data accepted, the relay would hold the request until a handshake the replayer cannot
            // finish. Either way its CONNECT must never reach the target.
            Thread.sleep(1500); // an absence can only be observed over a window
            assertEquals(tunnels, echo.connectionsAccepted(), "a replayed 0-RTT CONNECT must not open a tunnel");
        } finally {
            held.uninstall();
        }
    }

    private static QuicClientConnection.Builder client(InetSocketAddress to) {
        return QuicClientConnection.newBuilder()
                .host(to.getHostString()).port(to.getPort())
                .applicationProtocol("h3")
                .noServerCertificateCheck()
                .connectTimeout(Duration.ofSeconds(5))
                .logger(new NullLogger());
    }

    /** A first connection, only to be given a session ticket. */
    private static QuicSessionTicket ticketFrom(InetSocketAddress relay) throws Exception {
        QuicClientConnection first = client(relay).build();
        first.connect();
        // Tickets come in the server's first 1-RTT flight, which Kwik gives no event for: poll, bounded.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (first.getNewSessionTickets().isEmpty() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        List<QuicSessionTicket> tickets = first.getNewSessionTickets();
        first.close();
        assertFalse(tickets.isEmpty(), "the relay issues session tickets, so 0-RTT is possible at all");
        return tickets.get(0);
    }

    /** HEADERS (classic CONNECT, literal QPACK) and one DATA frame, as raw request-stream bytes. */
    private static byte[] connectRequest(String authority, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] section = RawH3.qpackLiterals(List.of(Map.entry(":method", "CONNECT"), Map.entry(":authority", authority)));
        out.writeBytes(RawH3.frame(RawH3.HEADERS, section));
        out.writeBytes(RawH3.frame(RawH3.DATA, data));
        return out.toByteArray();
    }

    private static boolean readUntil(InputStream in, String marker) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            int n = in.read(buffer);
            if (n < 0) {
                return false;
            }
            seen.write(buffer, 0, n);
            if (seen.toString(java.nio.charset.StandardCharsets.ISO_8859_1).contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** Counts the relay's "held until the handshake completes" log lines (its 0-RTT starts). */
    private static final class HeldStarts extends Handler {
        private static final Logger LOGGER = Logger.getLogger("org.masquerelay.engine.kwik.RelayH3ConnectionFactory");
        private final List<String> messages = new CopyOnWriteArrayList<>();
        private final java.util.logging.Level previous = LOGGER.getLevel();

        static HeldStarts install() {
            HeldStarts h = new HeldStarts();
            LOGGER.setLevel(java.util.logging.Level.FINE);
            h.setLevel(java.util.logging.Level.ALL);
            LOGGER.addHandler(h);
            return h;
        }

        void uninstall() {
            LOGGER.removeHandler(this);
            LOGGER.setLevel(previous);
        }

        int count() {
            return messages.size();
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getMessage() != null && record.getMessage().contains("0-RTT")) {
                messages.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /**
     * A loopback UDP forwarder between one client and the relay that records the client's datagrams, so the
     * client's first flight can be replayed later from a different source port.
     */
    private static final class RecordingUdpProxy implements AutoCloseable {
        private final DatagramSocket front = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        private final DatagramSocket back = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        private final InetSocketAddress relay;
        private final List<byte[]> fromClient = new CopyOnWriteArrayList<>();
        private final CountDownLatch stopped = new CountDownLatch(2);
        private volatile SocketAddress client;

        RecordingUdpProxy(InetSocketAddress relay) throws Exception {
            this.relay = relay;
            Thread.ofVirtual().start(() -> pump(front, true));
            Thread.ofVirtual().start(() -> pump(back, false));
        }

        InetSocketAddress address() {
            return (InetSocketAddress) front.getLocalSocketAddress();
        }

        private void pump(DatagramSocket from, boolean clientSide) {
            byte[] buffer = new byte[2048];
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    from.receive(p);
                    byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
                    if (clientSide) {
                        client = p.getSocketAddress();
                        fromClient.add(data);
                        back.send(new DatagramPacket(data, data.length, relay));
                    } else if (client != null) {
                        front.send(new DatagramPacket(data, data.length, client));
                    }
                }
            } catch (Exception closed) {
                stopped.countDown();
            }
        }

        /** Starts a new recording: only the next connection's flight is replayed. */
        void forgetRecording() {
            fromClient.clear();
        }

        /** The client's long-header packets (Initial, 0-RTT) from a fresh socket the relay has never seen. */
        void replayFirstFlight() throws Exception {
            try (DatagramSocket attacker = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                for (byte[] datagram : fromClient) {
                    if ((datagram[0] & 0x80) != 0) {
                        attacker.send(new DatagramPacket(datagram, datagram.length, relay));
                    }
                }
            }
        }

        @Override
        public void close() throws Exception {
            front.close();
            back.close();
            stopped.await(5, TimeUnit.SECONDS);
        }
    }

}
