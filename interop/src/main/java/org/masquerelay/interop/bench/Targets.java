package org.masquerelay.interop.bench;

import com.sun.net.httpserver.HttpServer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/** The loopback targets the benchmark's tunnels lead to. All bind 127.0.0.1 and an ephemeral port. */
final class Targets {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Targets() {}

    /** Base: one virtual thread per accepted connection; close() closes the listener and every connection. */
    abstract static class TcpServer implements AutoCloseable {
        private final ServerSocket server;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();

        TcpServer(String name) throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(LOOPBACK, 0), 1024);
            Thread.ofVirtual().name(name + "-accept").start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        open.add(s);
                        Thread.ofVirtual().name(name).start(() -> {
                            try (s) {
                                serve(s);
                            } catch (IOException ignored) {
                                // peer went away
                            } finally {
                                open.remove(s);
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        abstract void serve(Socket s) throws IOException;

        int port() {
            return server.getLocalPort();
        }

        String authority() {
            return "127.0.0.1:" + port();
        }

        int openConnections() {
            return open.size();
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    /**
     * Reads an 8-byte big-endian count, sends that many bytes (from one random buffer, so the source costs next to
     * nothing), FIN, then drains until the peer closes.
     */
    static final class Source extends TcpServer {
        static final long MAX = 1L << 32;
        private final byte[] chunk = new byte[64 * 1024];

        Source() throws IOException {
            super("bench-source");
            new Random(42).nextBytes(chunk);
        }

        @Override
        void serve(Socket s) throws IOException {
            long n = new DataInputStream(s.getInputStream()).readLong();
            if (n < 0 || n > MAX) {
                return;
            }
            OutputStream out = s.getOutputStream();
            while (n > 0) {
                int k = (int) Math.min(chunk.length, n);
                out.write(chunk, 0, k);
                n -= k;
            }
            s.shutdownOutput();
            s.getInputStream().transferTo(OutputStream.nullOutputStream());
        }

        static byte[] request(long n) {
            return ByteBuffer.allocate(8).putLong(n).array();
        }
    }

    /** Accepts and holds connections open until the peer closes them (idle tunnels). */
    static final class Hold extends TcpServer {
        Hold() throws IOException {
            super("bench-hold");
        }

        @Override
        void serve(Socket s) throws IOException {
            s.getInputStream().transferTo(OutputStream.nullOutputStream());
        }
    }

    /** Echoes until the peer's FIN, then closes (tunnel set-up rows). */
    static final class Echo extends TcpServer {
        Echo() throws IOException {
            super("bench-echo");
        }

        @Override
        void serve(Socket s) throws IOException {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] b = new byte[8192];
            int n;
            while ((n = in.read(b)) >= 0) {
                out.write(b, 0, n);
            }
        }
    }

    /** A small HTTP/1.1 origin for the time-to-first-byte rows. */
    static HttpServer http() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 128);
        byte[] body = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    static byte[] httpGet(int port) {
        return ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A UDP target that, on a control datagram from a peer, sends that peer a paced train of numbered datagrams:
     * {@code [run id 8][seq 8][zeros]}. Control: {@code [magic 4 = "BLST"][run id 8][packets/s 8][count 8][size 4]}.
     * One train at a time, on a platform thread; bounded by its count and by count/rate + 1 s.
     */
    static final class UdpBlaster implements AutoCloseable {
        static final int MAGIC = 0x424c5354;
        private final DatagramSocket socket;
        /** One train: filled in by its pacer thread. */
        static final class Train {
            final long run;
            final Thread thread;
            volatile long sent;
            volatile long sendNanos;

            Train(long run, Thread thread) {
                this.run = run;
                this.thread = thread;
            }
        }

        private volatile Train train;

        UdpBlaster() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
            socket.setSendBufferSize(4 << 20);
            Thread t = new Thread(this::controlLoop, "udp-blaster-control");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        static byte[] control(long runId, long pps, long count, int size) {
            return ByteBuffer.allocate(32).putInt(MAGIC).putLong(runId).putLong(pps).putLong(count).putInt(size).array();
        }

        private void controlLoop() {
            byte[] buf = new byte[2048];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (IOException e) {
                    return;
                }
                if (p.getLength() < 32) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(buf, p.getOffset(), p.getLength());
                if (b.getInt() != MAGIC) {
                    continue;
                }
                long run = b.getLong();
                long pps = b.getLong();
                long count = b.getLong();
                int size = b.getInt();
                Train current = train;
                if (current != null && (current.run == run || current.thread.isAlive())) {
                    continue;  // a duplicate control datagram, or a train still running
                }
                SocketAddress to = p.getSocketAddress();
                Train[] holder = new Train[1];
                Thread t = new Thread(() -> blast(holder[0], to, pps, count, Math.max(16, Math.min(size, 65000))), "udp-blaster");
                t.setDaemon(true);
                holder[0] = new Train(run, t);
                train = holder[0];
                t.start();
            }
        }

        private void blast(Train train, SocketAddress to, long pps, long count, int size) {
            long run = train.run;
            byte[] payload = new byte[size];
            ByteBuffer b = ByteBuffer.wrap(payload);
            DatagramPacket packet = new DatagramPacket(payload, size, to);
            long start = System.nanoTime();
            long limit = start + (long) (count * 1e9 / pps) + 1_000_000_000L;
            long n = 0;
            while (n < count) {
                long now = System.nanoTime();
                if (now > limit) {
                    break;
                }
                long due = Math.min(count, (long) ((now - start) * (pps / 1e9)) + 1);
                if (n >= due) {
                    LockSupport.parkNanos(50_000);
                    continue;
                }
                while (n < due) {
                    b.putLong(0, run).putLong(8, n);
                    try {
                        socket.send(packet);
                    } catch (IOException e) {
                        // ENOBUFS and the like: counted as sent, lost on the way like any UDP datagram
                    }
                    n++;
                }
            }
            train.sendNanos = System.nanoTime() - start;
            train.sent = n;
        }

        /** Whether the train of this run has started. */
        boolean started(long run) {
            Train t = train;
            return t != null && t.run == run;
        }

        /** Waits for this run's train to end; {sent, sendNanos}, or null if it never started or did not end in time. */
        long[] awaitTrain(long run, long millis) throws InterruptedException {
            Train t = train;
            if (t == null || t.run != run) {
                return null;
            }
            t.thread.join(millis);
            return t.thread.isAlive() ? null : new long[] {t.sent, t.sendNanos};
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
