package org.masquerelay.interop.bench;

import org.masquerelay.interop.bench.Clients.Client;
import org.masquerelay.interop.bench.Clients.UdpPath;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** Added latency: UDP ping-pong through connect-udp and HTTP/1.1 time to first byte over a new tunnel, beside direct. */
final class LatencyScenario {
    private final Bench b;

    LatencyScenario(Bench b) {
        this.b = b;
    }

    void run() throws Exception {
        for (int run = 0; run < b.cfg.runs(); run++) {
            for (String m : List.of("direct", "kwik", "netty")) {
                if (b.results.variant.isEmpty() || !m.equals("direct")) {
                    pingRun(m);
                }
            }
            double direct = lastValueExact("lat.ping.direct.p50");
            double kwik = lastValue("lat.ping.kwik.p50");
            if (!Double.isNaN(direct) && !Double.isNaN(kwik)) {
                b.results.add("lat.ping.added.p50", kwik - direct);
            }
            for (String m : List.of("direct", "kwik", "netty")) {
                if (b.results.variant.isEmpty() || !m.equals("direct")) {
                    ttfbRun(m);
                }
            }
        }
    }

    /** The last value of a row of the first engine (the baselines live there). */
    private double lastValueExact(String id) {
        String saved = b.results.variant;
        b.results.variant = "";
        try {
            return lastValue(id);
        } finally {
            b.results.variant = saved;
        }
    }

    private double lastValue(String id) {
        List<Double> v = b.results.get(id).values;
        return v.isEmpty() ? Double.NaN : v.get(v.size() - 1);
    }

    private void pingRun(String mode) {
        String id = "lat.ping." + mode;
        Client client = null;
        UdpPath path = null;
        try {
            if (mode.equals("direct")) {
                path = UdpScenario.directUdp(b.udpEcho.port());
            } else {
                client = b.connect(mode);
                Client c = client;
                path = b.guarded(b.cfg.runLimit(), c::close, () -> c.openUdp(b.udpEcho.port(), false));
            }
            ArrayBlockingQueue<Long> replies = new ArrayBlockingQueue<>(1024);
            path.setReceiver((buf, off, len) -> {
                if (len >= 8) {
                    replies.offer(ByteBuffer.wrap(buf, off, len).getLong());
                }
            });
            int warm = Math.max(5, b.cfg.pings() / 10);
            long[] rtt = new long[b.cfg.pings()];
            int n = 0;
            int lost = 0;
            byte[] payload = new byte[64];
            long deadline = System.nanoTime() + b.cfg.runLimit().toNanos();
            for (int i = 0; i < warm + b.cfg.pings() && System.nanoTime() < deadline; i++) {
                ByteBuffer.wrap(payload).putLong(0, i);
                long t0 = System.nanoTime();
                path.send(payload);
                Long got;
                do {
                    got = replies.poll(500, TimeUnit.MILLISECONDS);
                } while (got != null && got != i);
                long dt = System.nanoTime() - t0;
                if (got == null) {
                    lost++;
                } else if (i >= warm) {
                    rtt[n++] = dt;
                }
            }
            if (n < b.cfg.pings() / 2) {
                throw new IOException("only " + n + " of " + b.cfg.pings() + " pings answered (" + lost + " lost)");
            }
            long[] sorted = Arrays.copyOf(rtt, n);
            Arrays.sort(sorted);
            b.results.add(id + ".p50", percentile(sorted, 50) / 1e3);
            b.results.add(id + ".p99", percentile(sorted, 99) / 1e3);
            if (lost > 0) {
                b.results.note(id + ".p99", lost + " pings lost in the last run");
            }
        } catch (Exception e) {
            b.results.fail(id + ".p50", Bench.reason(e));
            b.results.fail(id + ".p99", Bench.reason(e));
        } finally {
            Bench.closeQuietly(path);
            Bench.closeQuietly(client);
        }
    }

    static long percentile(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private void ttfbRun(String mode) {
        String id = "lat.ttfb." + mode;
        int port = b.http.getAddress().getPort();
        String authority = "127.0.0.1:" + port;
        byte[] request = Targets.httpGet(port);
        Client client = null;
        try {
            if (!mode.equals("direct")) {
                client = b.connect(mode);
            }
            Client c = client;
            Callable<Long> once = c == null ? () -> directTtfb(port, request) : () -> c.timeToFirstByte(authority, request);
            int warm = Math.max(3, b.cfg.ttfbSamples() / 10);
            long[] samples = new long[b.cfg.ttfbSamples()];
            for (int i = 0; i < warm + samples.length; i++) {
                long t = b.guarded(Duration.ofSeconds(10), () -> Bench.closeQuietly(c), once);
                if (i >= warm) {
                    samples[i - warm] = t;
                }
            }
            Arrays.sort(samples);
            b.results.add(id + ".p50", percentile(samples, 50) / 1e6);
            b.results.add(id + ".p99", percentile(samples, 99) / 1e6);
        } catch (Exception e) {
            b.results.fail(id + ".p50", Bench.reason(e));
            b.results.fail(id + ".p99", Bench.reason(e));
        } finally {
            Bench.closeQuietly(client);
        }
    }

    private static long directTtfb(int port, byte[] request) throws IOException {
        long t0 = System.nanoTime();
        try (Socket s = new Socket(Targets.LOOPBACK, port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            InputStream in = s.getInputStream();
            if (in.read() < 0) {
                throw new IOException("no response");
            }
            long t1 = System.nanoTime();
            in.transferTo(OutputStream.nullOutputStream());
            return t1 - t0;
        }
    }
}
