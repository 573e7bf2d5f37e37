package org.masquerelay.engine.quiche.bench;

import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.engine.quiche.QuicheClientEngine;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.testpeers.TcpSourceServer;
import org.masquerelay.testpeers.Tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * A download through a classic CONNECT tunnel of a running relay (any engine): a local TCP source sends N MiB, a
 * Netty/quiche HTTP/3 client (the same for every engine) reads it through the relay. Prints MB/s and the relay
 * process's CPU seconds (from /proc) per run. Not a test: run by hand, e.g.
 * <pre>
 * bin/relay-server dev --engine quiche --port 4433 --state-dir /tmp/bench-dev &amp;
 * java -cp engine-quiche/target/test-classes:$(cat /tmp/cp.txt) org.masquerelay.engine.quiche.bench.DownloadBench 4433 $! 64 5
 * </pre>
 * where /tmp/cp.txt is {@code mvn -pl engine-quiche dependency:build-classpath -Dmdep.includeScope=test
 * -Dmdep.outputFile=/tmp/cp.txt}. A fifth argument {@code quiche-client} downloads with {@link QuicheClientEngine}
 * instead of Netty's HTTP/3 client.
 */
public final class DownloadBench {
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: DownloadBench <relay port> <relay pid> <MiB> <runs>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        long pid = Long.parseLong(args[1]);
        long bytes = Long.parseLong(args[2]) << 20;
        int runs = Integer.parseInt(args[3]);
        boolean ourClient = args.length > 4 && args[4].equals("quiche-client");
        InetSocketAddress relay = new InetSocketAddress("127.0.0.1", port);
        try (TcpSourceServer source = new TcpSourceServer(InetAddress.getByName("127.0.0.1"), bytes)) {
            String expected = source.sha256();
            for (int run = 1; run <= runs; run++) {
                if (ourClient) {
                    downloadWithQuicheClientEngine(port, pid, source, expected, run);
                    continue;
                }
                try (NettyH3Client client = NettyH3Client.connect(relay, NettyH3Client.Options.defaults()
                        .withDatagrams(false))) {
                    double cpu0 = cpuSeconds(pid);
                    long t0 = System.nanoTime();
                    Tunnel tunnel = client.openTcp(source.authority(), Map.of(), null);
                    int status = tunnel.awaitResponse(Duration.ofSeconds(10)).status();
                    byte[] data = tunnel.readToEnd(Duration.ofMinutes(3));
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double cpu = cpuSeconds(pid) - cpu0;
                    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
                    System.out.printf("run %d: status %d, %d bytes in %.2f s = %.1f MB/s, relay CPU %.2f s%s%n", run,
                            status, data.length, seconds, data.length / seconds / 1e6, cpu,
                            sha.equals(expected) ? "" : "  CONTENT MISMATCH");
                } catch (RuntimeException e) {
                    System.out.printf("run %d: failed: %s%n", run, e);
                }
            }
        }
    }

    /** The same download with this module's client engine (epoll + GSO where available) instead of Netty's HTTP/3 client. */
    private static void downloadWithQuicheClientEngine(int port, long pid, TcpSourceServer source, String expected, int run)
            throws Exception {
        ClientConnection connection = new QuicheClientEngine().connect(
                ClientEngineSettings.builder().relay("127.0.0.1", port).insecure(true).build());
        try {
            double cpu0 = cpuSeconds(pid);
            long t0 = System.nanoTime();
            ClientStream stream = connection.openRequest(HttpFields.builder().add(":method", "CONNECT")
                    .add(":authority", source.authority()).build());
            String status = stream.awaitResponse(Duration.ofSeconds(10)).getOrNull(":status");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            InputStream body = stream.body();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = body.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
                total += n;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = cpuSeconds(pid) - cpu0;
            System.out.printf("run %d: status %s, %d bytes in %.2f s = %.1f MB/s, relay CPU %.2f s%s%n", run, status,
                    total, seconds, total / seconds / 1e6, cpu,
                    HexFormat.of().formatHex(sha.digest()).equals(expected) ? "" : "  CONTENT MISMATCH");
        } finally {
            connection.close(0x100, "done");
        }
    }

    /** utime + stime of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s). */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }
}
