package org.masquerelay.interop.bench;

import org.masquerelay.interop.bench.Clients.Client;
import org.masquerelay.interop.bench.Clients.UdpPath;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * UDP from a target to the client through connect-udp at increasing offered rates (QUIC datagrams and capsules),
 * beside a plain loopback UDP socket: delivered rate, loss and reordering of trains of numbered payloads.
 */
final class UdpScenario {
    private final Bench b;

    UdpScenario(Bench b) {
        this.b = b;
    }

    /** What one receiver saw of one train. */
    static final class TrainStats implements Clients.Receiver {
        volatile long run;
        private final BitSet seen = new BitSet();
        private long received;
        private long reordered;
        private long maxSeq = -1;

        @Override
        public synchronized void received(byte[] buf, int off, int len) {
            if (len < 16) {
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(buf, off, len);
            if (b.getLong() != run) {
                return;  // a late datagram of an earlier train, or a ping
            }
            long seq = b.getLong();
            if (seq < 0 || seq > Integer.MAX_VALUE || seen.get((int) seq)) {
                return;
            }
            seen.set((int) seq);
            received++;
            if (seq < maxSeq) {
                reordered++;
            }
            maxSeq = Math.max(maxSeq, seq);
        }

        synchronized void reset(long newRun) {
            run = newRun;
            seen.clear();
            received = 0;
            reordered = 0;
            maxSeq = -1;
        }

        synchronized long received() {
            return received;
        }

        synchronized long reordered() {
            return reordered;
        }
    }

    /** A plain UDP socket to the b.blaster: the baseline. */
    static UdpPath directUdp(int port) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(Targets.LOOPBACK, 0));
        socket.setReceiveBufferSize(Bench.RECEIVE_BUFFER);
        socket.connect(new InetSocketAddress(Targets.LOOPBACK, port));
        return new UdpPath() {
            @Override
            public void send(byte[] payload) throws IOException {
                socket.send(new DatagramPacket(payload, payload.length));
            }

            @Override
            public void setReceiver(Clients.Receiver receiver) {
                Thread.ofPlatform().daemon().name("bench-udp-direct").start(() -> {
                    byte[] buf = new byte[65536];
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    while (!socket.isClosed()) {
                        p.setLength(buf.length);
                        try {
                            socket.receive(p);
                        } catch (IOException e) {
                            return;
                        }
                        receiver.received(buf, 0, p.getLength());
                    }
                });
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }

    void run() throws Exception {
        for (int run = 0; run < b.cfg.runs(); run++) {
            for (String mode : BenchRows.UDP_MODES) {
                if (!b.results.variant.isEmpty() && mode.equals("direct")) {
                    continue;
                }
                Client client = null;
                UdpPath path = null;
                try {
                    if (mode.equals("direct")) {
                        path = directUdp(b.blaster.port());
                    } else {
                        client = b.connect(mode.startsWith("kwik") ? "kwik" : "netty");
                        Client c = client;
                        path = b.guarded(b.cfg.runLimit(), c::close, () -> c.openUdp(b.blaster.port(), mode.endsWith("capsule")));
                    }
                    TrainStats stats = new TrainStats();
                    path.setReceiver(stats);
                    for (int rate : b.cfg.udpRatesMbps()) {
                        String id = "udp." + mode + "." + rate;
                        try {
                            Client c = client;
                            UdpPath p = path;
                            b.guarded(b.cfg.runLimit(), () -> {
                                if (c != null) {
                                    c.close();
                                }
                            }, () -> {
                                train(p, stats, id, rate);
                                return null;
                            });
                        } catch (Exception e) {
                            for (String suffix : List.of(".delivered", ".loss", ".reordered")) {
                                if (b.results.get(id + suffix) != null) {
                                    b.results.fail(id + suffix, Bench.reason(e));
                                }
                            }
                            b.progress.println("[bench] " + id + " failed: " + Bench.reason(e));
                        }
                    }
                } catch (Exception e) {
                    for (int rate : b.cfg.udpRatesMbps()) {
                        b.results.fail("udp." + mode + "." + rate + ".delivered", Bench.reason(e));
                    }
                } finally {
                    Bench.closeQuietly(path);
                    Bench.closeQuietly(client);
                }
            }
        }
    }

    private void train(UdpPath path, TrainStats stats, String id, int rateMbps) throws Exception {
        int size = b.cfg.udpPayload();
        long pps = Math.max(1, Math.round(rateMbps * 1e6 / (size * 8.0)));
        long count = Math.max(10, Math.round(pps * b.cfg.udpSeconds()));
        long runId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        stats.reset(runId);
        byte[] control = Targets.UdpBlaster.control(runId, pps, count, size);
        // The control datagram can be lost like any other: resend until the train starts (bounded).
        for (int attempt = 0; attempt < 10 && !b.blaster.started(runId); attempt++) {
            path.send(control);
            for (int i = 0; i < 20 && !b.blaster.started(runId); i++) {
                Thread.sleep(10);
            }
        }
        long[] sent = b.blaster.awaitTrain(runId, (long) (b.cfg.udpSeconds() * 1000) + 5000);
        if (sent == null) {
            throw new IOException("the UDP train did not start or end (control datagram lost?)");
        }
        // Let the tail arrive: until all are in, or nothing new for 300 ms (at most 1 s).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long last = -1;
        while (System.nanoTime() < deadline && stats.received() < sent[0]) {
            long now = stats.received();
            if (now == last) {
                break;
            }
            last = now;
            Thread.sleep(300);
        }
        long received = stats.received();
        double seconds = sent[1] / 1e9;
        b.results.add(id + ".delivered", received * size * 8.0 / seconds / 1e6);
        b.results.add(id + ".loss", 100.0 * (sent[0] - received) / sent[0]);
        if (b.results.get(id + ".reordered") != null) {
            b.results.add(id + ".reordered", received == 0 ? 0 : 100.0 * stats.reordered() / received);
        }
        double offered = sent[0] * size * 8.0 / seconds / 1e6;
        if (offered < rateMbps * 0.9) {
            b.results.note(id + ".delivered", String.format(Locale.ROOT, "pacer reached only %.0f Mbit/s", offered));
        }
    }
}
