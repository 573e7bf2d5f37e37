package org.masquerelay.interop.bench;

import org.masquerelay.interop.bench.Clients.Client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * TCP download through classic CONNECT, 1 and k tunnels on one connection, beside plain loopback TCP and socat (a
 * TCP relay process) as baselines, with the relay's and the client's CPU per GB.
 */
final class TcpScenario {
    private final Bench b;
    private Process socat;
    private int socatPort;
    private String socatMissing;

    TcpScenario(Bench b) {
        this.b = b;
    }

    void startSocat() {
        Path bin = Stream.of("/usr/bin/socat", "/usr/local/bin/socat", "/bin/socat").map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (bin == null) {
            socatMissing = "socat not installed (apt-get install -y socat): row skipped";
            return;
        }
        try {
            try (ServerSocket probe = new ServerSocket(0, 1, Targets.LOOPBACK)) {
                socatPort = probe.getLocalPort();
            }
            socat = new ProcessBuilder(bin.toString(), "TCP-LISTEN:" + socatPort + ",bind=127.0.0.1,fork,reuseaddr,backlog=256",
                    "TCP:127.0.0.1:" + b.source.port()).redirectErrorStream(true).redirectOutput(b.cfg.out().resolve("socat.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                try (Socket s = new Socket(Targets.LOOPBACK, socatPort)) {
                    s.getOutputStream().write(Targets.Source.request(1));
                    s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
        } catch (Exception e) {
            socatMissing = "socat did not start: " + e.getMessage();
            stopSocat();
        }
    }

    void stopSocat() {
        if (socat != null) {
            // socat and the children it forked per connection: all started by us.
            socat.descendants().forEach(ProcessHandle::destroy);
            socat.destroy();
            try {
                socat.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            socat = null;
        }
    }

    /** Downloads {@code total} bytes over {@code k} parallel plain TCP connections to host:port. */
    private static long directDownload(int port, long total, int k) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> parts = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                long n = total / k;
                parts.add(pool.submit(() -> {
                    try (Socket s = new Socket(Targets.LOOPBACK, port)) {
                        s.getOutputStream().write(Targets.Source.request(n));
                        InputStream in = s.getInputStream();
                        byte[] buf = new byte[64 * 1024];
                        long got = 0;
                        int r;
                        while (got < n && (r = in.read(buf)) >= 0) {
                            got += r;
                        }
                        return got;
                    }
                }));
            }
            long sum = 0;
            for (Future<Long> f : parts) {
                sum += f.get(60, TimeUnit.SECONDS);
            }
            return sum;
        }
    }

    void run() throws Exception {
        for (int k : b.cfg.tunnelCounts()) {
            for (int run = 0; run < b.cfg.runs(); run++) {
                for (String mode : BenchRows.TCP_MODES) {
                    if (!b.results.variant.isEmpty() && (mode.equals("direct") || mode.equals("socat"))) {
                        continue;
                    }
                    String id = "tcp." + mode + "." + k;
                    try {
                        switch (mode) {
                            case "direct", "socat" -> {
                                if (mode.equals("socat") && socatMissing != null) {
                                    b.results.note(id, socatMissing);
                                    continue;
                                }
                                int port = mode.equals("direct") ? b.source.port() : socatPort;
                                long total = b.cfg.tcpBaselineBytes() / k * k;
                                long t0 = System.nanoTime();
                                long got = directDownload(port, total, k);
                                long dt = System.nanoTime() - t0;
                                Bench.check(got, total);
                                b.results.add(id, Bench.mbps(got, dt));
                            }
                            default -> tcpThroughRelay(mode, k, id);
                        }
                    } catch (Exception e) {
                        b.results.fail(id, Bench.reason(e));
                        b.progress.println("[bench] " + id + " run " + run + " failed: " + Bench.reason(e));
                    }
                }
            }
        }
    }

    private void tcpThroughRelay(String stack, int k, String id) throws Exception {
        long each = b.cfg.tcpBytes() / k;
        long total = each * k;
        try (Client c = b.connect(stack)) {
            long relayCpu0 = b.relay.cpuNanos();
            long ourCpu0 = Bench.processCpuNanos();
            long t0 = System.nanoTime();
            long got = b.guarded(b.cfg.runLimit(), c::close, () -> {
                if (k == 1) {
                    return c.download(b.source.authority(), each);
                }
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<Long>> parts = new ArrayList<>();
                    for (int i = 0; i < k; i++) {
                        parts.add(pool.submit(() -> c.download(b.source.authority(), each)));
                    }
                    long sum = 0;
                    for (Future<Long> f : parts) {
                        sum += f.get();
                    }
                    return sum;
                }
            });
            long dt = System.nanoTime() - t0;
            long relayCpu = b.relay.cpuNanos() - relayCpu0;
            long ourCpu = Bench.processCpuNanos() - ourCpu0;
            Bench.check(got, total);
            b.results.add(id, Bench.mbps(got, dt));
            double gb = got / 1e9;
            b.results.add("cpu.relay." + stack + "." + k, relayCpu / 1e9 / gb);
            b.results.add("cpu.client." + stack + "." + k, ourCpu / 1e9 / gb);
        }
    }
}
