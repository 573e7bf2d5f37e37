package org.masquerelay.interop.reliability;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.masquerelay.server.DevMode;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.config.QuicEngine;

/**
 * The relay of the fault lab and the soak, in a JVM of its own (so it can be killed, and so its heap, threads and
 * descriptors are its own). Dev-mode identity and loopback-only policy, with short tunnel timeouts so that a fault
 * ends a tunnel in seconds. Line protocol on stdin/stdout:
 * <pre>
 *   ready PORT CA_PEM_PATH                (once, at start)
 *   stats -> stats HEAP_USED_AFTER_GC PLATFORM_THREADS OPEN_FDS
 *   quit
 * </pre>
 * Arguments: state-dir engine idle-seconds connect-seconds.
 */
public final class LabRelay {
    private LabRelay() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        QuicEngine engine = QuicEngine.parse("engine", args[1]);
        Duration idle = Duration.ofSeconds(Long.parseLong(args[2]));
        Duration connect = Duration.ofSeconds(Long.parseLong(args[3]));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        DevMode.Dev dev = DevMode.prepare(dir, List.of(new InetSocketAddress("127.0.0.1", 0)));
        RelaySettings settings = dev.settings().newBuilder().engine(engine)
                .tunnel(t -> t.connectTimeout(connect).idleTimeout(idle)).build();
        try (RelayServer relay = RelayServer.start(settings)) {
            out.println("ready " + relay.addresses().get(0).getPort() + " " + dev.caCertificate().toAbsolutePath());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                switch (line.trim()) {
                    case "stats" -> out.println("stats " + heapAfterGc() + " "
                            + ManagementFactory.getThreadMXBean().getThreadCount() + " " + openFds());
                    case "quit" -> {
                        return;
                    }
                    default -> out.println("error unknown command " + line);
                }
            }
        } finally {
            System.exit(0); // a lab process: engines' non-daemon threads must not keep it alive
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
