package org.masquerelay.interop.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.masquerelay.server.DevMode;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.server.config.QuicEngine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relay under test, in a JVM of its own so that its heap, threads and CPU time are the relay's alone (the
 * benchmark's clients and targets live in the parent JVM). Started by {@link RelayProcess}; speaks a line protocol on
 * stdin/stdout:
 * <pre>
 *   ready PORT CA_PEM_PATH           (once, at start)
 *   stats  -> stats HEAP_USED_AFTER_GC PLATFORM_THREADS ALL_THREADS CPU_NANOS
 *   cpu    -> cpu CPU_NANOS
 *   histogram PATH -> ok      (the live objects per class, as jcmd PID GC.class_histogram, written to PATH)
 *   jfr-start -> ok;  jfr-stop PATH -> ok
 *   quit
 * </pre>
 * Dev-mode identity and the loopback-only policy; more tunnels per connection than dev mode's 256, so the cost rows
 * can hold 1,000 tunnels on one connection. A fourth argument {@code scale} lifts the per-client caps for the scale
 * rows ({@link #scaled}).
 */
public final class RelayWorker {
    private static final Pattern TID = Pattern.compile("\"tid\"\\s*:");

    private RelayWorker() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        QuicEngine engine = args.length > 1 ? QuicEngine.parse("engine", args[1]) : QuicEngine.KWIK;
        int tunnelsPerConnection = args.length > 2 ? Integer.parseInt(args[2]) : 2048;
        boolean scale = args.length > 3 && args[3].equals("scale");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        DevMode.Dev dev = DevMode.prepare(dir, List.of(new InetSocketAddress("127.0.0.1", 0)));
        RelaySettings.Builder builder = dev.settings().newBuilder().tunnelsPerConnection(tunnelsPerConnection).engine(engine);
        RelaySettings settings = (scale ? scaled(builder, dev.settings()) : builder).build();
        Recording recording = null;
        try (RelayServer relay = RelayServer.start(settings)) {
            out.println("ready " + relay.addresses().get(0).getPort() + " " + dev.caCertificate().toAbsolutePath());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] cmd = line.trim().split(" ", 2);
                switch (cmd[0]) {
                    case "stats" -> out.println("stats " + heapAfterGc() + " " + platformThreads() + " "
                            + allThreads(dir) + " " + cpuNanos());
                    case "cpu" -> out.println("cpu " + cpuNanos());
                    case "histogram" -> {
                        Files.writeString(Path.of(cmd[1]), classHistogram());
                        out.println("ok");
                    }
                    case "jfr-start" -> {
                        recording = new Recording(Configuration.getConfiguration("profile"));
                        // Native samples too: time in syscalls (sendmsg/recvmsg) shows up there.
                        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(5));
                        recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(10));
                        recording.start();
                        out.println("ok");
                    }
                    case "jfr-stop" -> {
                        if (recording != null) {
                            recording.stop();
                            recording.dump(Path.of(cmd[1]));
                            recording.close();
                            recording = null;
                        }
                        out.println("ok");
                    }
                    case "quit" -> {
                        return;
                    }
                    default -> out.println("error unknown command " + cmd[0]);
                }
            }
        } finally {
            System.exit(0);
        }
    }

    /**
     * The scale rows' relay (ScaleScenario): every bench client comes from 127.0.0.1, so the per-address caps that
     * keep one client from starving others (256 connections, 50 new a second, 500 new tunnels a second per
     * connection) are off, as an operator behind a carrier-grade NAT would set them; room for 10,000 connections and
     * tunnels plus the probes; a 5 min QUIC idle timeout, so connections made early in a ramp of a minute or more are
     * still there when the last one is up (the bench clients never ping).
     */
    static RelaySettings.Builder scaled(RelaySettings.Builder builder, RelaySettings base) {
        ClientLimits limits = base.clientLimits().withPerAddress(0, 0).withNewTunnelsPerSecond(0)
                .withMaxTunnels(SCALE_MAX_TUNNELS);
        return builder.clientLimits(limits).engineSettings(e -> e.maxConnections(SCALE_MAX_CONNECTIONS)
                .idleTimeout(Duration.ofMinutes(5)));
    }

    static final int SCALE_MAX_TUNNELS = 16_000;
    static final int SCALE_MAX_CONNECTIONS = 16_000;

    /** Used heap after full collections, the usual estimate of live data. */
    static long heapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** What {@code jcmd PID GC.class_histogram} prints (after a full collection: live objects only). */
    static String classHistogram() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
    }

    static int platformThreads() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return threads.getThreadCount();
    }

    /** Platform and virtual threads: ThreadMXBean sees platform threads only, a thread dump sees both. */
    static int allThreads(Path dir) {
        try {
            Path dump = dir.resolve("threads-" + System.nanoTime() + ".json");
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            String json = Files.readString(dump);
            Files.deleteIfExists(dump);
            Matcher m = TID.matcher(json);
            int n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        } catch (Exception e) {
            return -1;
        }
    }

    static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
