package org.masquerelay.interop.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.masquerelay.client.RelayClient;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.UdpEchoServer;

/**
 * The soak: for a number of minutes, TCP and UDP tunnels opened one after another on several workers, every byte
 * checksummed, and the relay's heap (after GC), platform threads and open descriptors sampled at the start and every
 * minute. Lost bytes are bytes sent that did not come back intact (a UDP datagram counts as lost only after its
 * retries); the run passes with 0 B lost, no defect (hung, truncated, corrupt tunnel) and no steady growth.
 */
public final class Soak {
    private static final int TCP_WORKERS = 4;
    private static final int UDP_WORKERS = 2;

    /** What a soak measured. */
    public record Summary(Duration length, long tcpTunnels, long udpTunnels, long bytesChecked, long bytesLost,
                          List<String> defects, List<LabRelayProcess.Stats> samples) {
        public boolean passed() {
            return bytesLost == 0 && defects.isEmpty();
        }

        public String line() {
            LabRelayProcess.Stats first = samples.get(0);
            LabRelayProcess.Stats last = samples.get(samples.size() - 1);
            return String.format("soak: %d min, %,d TCP + %,d UDP tunnels, %s checked, %s lost, %d defects; relay heap"
                            + " %s -> %s, threads %d -> %d, fds %d -> %d",
                    length.toMinutes(), tcpTunnels, udpTunnels, bytes(bytesChecked), bytes(bytesLost), defects.size(),
                    bytes(first.heapUsed()), bytes(last.heapUsed()), first.threads(), last.threads(), first.fds(),
                    last.fds());
        }
    }

    private final AtomicLong tcpTunnels = new AtomicLong();
    private final AtomicLong udpTunnels = new AtomicLong();
    private final AtomicLong checked = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final List<String> defects = java.util.Collections.synchronizedList(new ArrayList<>());

    private Soak() {
    }

    /** Runs the soak; progress lines (one a minute) go to {@code out}. */
    public static Summary run(Path dir, String engine, Duration length, PrintStream out) throws IOException,
            InterruptedException {
        return new Soak().soak(dir, engine, length, out);
    }

    private Summary soak(Path dir, String engine, Duration length, PrintStream out) throws IOException,
            InterruptedException {
        List<LabRelayProcess.Stats> samples = new ArrayList<>();
        try (TcpEchoServer echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
             UdpEchoServer udpEcho = new UdpEchoServer(InetAddress.getLoopbackAddress());
             LabRelayProcess relay = LabRelayProcess.start(dir, engine, Duration.ofMinutes(1), Duration.ofSeconds(10));
             RelayClient client = RelayClient.builder().relay(relay.url()).trustCaFile(relay.ca()).build()) {
            // Warm up (class loading, JIT, the connection) before the first sample, so growth means growth.
            record(Transfers.tcpEcho(client, "warm-up", "127.0.0.1", echo.port(), 64 * 1024, 1, Duration.ofSeconds(60)), true);
            samples.add(sample(relay, out, 0));
            long end = System.nanoTime() + length.toNanos();
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < TCP_WORKERS; w++) {
                SplittableRandom random = new SplittableRandom(1000 + w);
                workers.add(Thread.ofVirtual().name("soak-tcp-" + w).start(() -> {
                    while (System.nanoTime() < end) {
                        int size = 64 * 1024 + random.nextInt(960 * 1024);
                        record(Transfers.tcpEcho(client, "tcp", "127.0.0.1", echo.port(), size, random.nextLong(),
                                Duration.ofSeconds(60)), true);
                    }
                }));
            }
            for (int w = 0; w < UDP_WORKERS; w++) {
                SplittableRandom random = new SplittableRandom(2000 + w);
                workers.add(Thread.ofVirtual().name("soak-udp-" + w).start(() -> {
                    while (System.nanoTime() < end) {
                        record(Transfers.udpEcho(client, "udp", "127.0.0.1", udpEcho.port(), 50, 1000,
                                random.nextLong(), Duration.ofMillis(500), 6, Duration.ofSeconds(60)), false);
                    }
                }));
            }
            for (int minute = 1; System.nanoTime() < end; minute++) {
                long next = Math.min(end, System.nanoTime() + Duration.ofMinutes(1).toNanos());
                for (Thread t : workers) {
                    t.join(Duration.ofNanos(Math.max(1, next - System.nanoTime())));
                }
                if (System.nanoTime() < end) {
                    samples.add(sample(relay, out, minute));
                }
            }
            for (Thread t : workers) {
                if (!t.join(Duration.ofSeconds(90))) {
                    defects.add("a worker did not finish within 90 s of the end");
                }
            }
            samples.add(sample(relay, out, length.toMinutes()));
            if (!relay.alive()) {
                defects.add("the relay process died");
            }
        }
        return new Summary(length, tcpTunnels.get(), udpTunnels.get(), checked.get(), lost.get(), List.copyOf(defects),
                samples);
    }

    private void record(Outcome o, boolean tcp) {
        (tcp ? tcpTunnels : udpTunnels).incrementAndGet();
        checked.addAndGet(o.verified());
        lost.addAndGet(o.lost());
        if (o.kind() != Outcome.Kind.COMPLETE) {
            defects.add(o.toString());
        }
    }

    private LabRelayProcess.Stats sample(LabRelayProcess relay, PrintStream out, long minute) throws IOException {
        LabRelayProcess.Stats s = relay.stats();
        out.printf("minute %d: %,d TCP + %,d UDP tunnels, %s checked, %s lost; relay heap %s, threads %d, fds %d%n",
                minute, tcpTunnels.get(), udpTunnels.get(), bytes(checked.get()), bytes(lost.get()),
                bytes(s.heapUsed()), s.threads(), s.fds());
        return s;
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format("%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format("%.2f GiB", n / (1024.0 * 1024 * 1024));
    }
}
