package org.masquerelay.interop.bench;

import org.masquerelay.interop.worker.WorkerProcess;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The parent's handle on a {@link RelayWorker} JVM: start, query, stop. Every wait is bounded. */
final class RelayProcess implements AutoCloseable {
    /** The relay JVM's own settings, printed with the machine facts. */
    static final List<String> JVM_OPTIONS = List.of("-Xms512m", "-Xmx2g", "-Djdk.trackAllThreads=true");

    record Stats(long heapUsed, int platformThreads, int allThreads, long cpuNanos) {}

    private final WorkerProcess worker;

    private RelayProcess(WorkerProcess worker) {
        this.worker = worker;
    }

    static RelayProcess start(Path dir, List<String> extraJvmOptions) throws IOException {
        return start(dir, "kwik", extraJvmOptions);
    }

    /** @param engine the relay's QUIC engine: kwik or quiche */
    static RelayProcess start(Path dir, String engine, List<String> extraJvmOptions) throws IOException {
        return start(dir, engine, extraJvmOptions, List.of());
    }

    /** @param workerArgs more arguments of {@link RelayWorker} after the engine: tunnels per connection, "scale" */
    static RelayProcess start(Path dir, String engine, List<String> extraJvmOptions, List<String> workerArgs)
            throws IOException {
        List<String> jvm = new ArrayList<>(JVM_OPTIONS);
        jvm.addAll(extraJvmOptions);
        List<String> args = new ArrayList<>(List.of(dir.toAbsolutePath().toString(), engine));
        args.addAll(workerArgs);
        return new RelayProcess(WorkerProcess.start("relay worker", dir, jvm, RelayWorker.class, args));
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", worker.port());
    }

    /** The dev CA that issued the relay's certificate. */
    Path caCertificate() {
        return worker.ca();
    }

    long pid() {
        return worker.pid();
    }

    /** Open file descriptors of the relay process (/proc), or -1 where there is no /proc. */
    long openFiles() {
        try (var files = Files.list(Path.of("/proc", Long.toString(worker.pid()), "fd"))) {
            return files.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Resident set size of the relay process in bytes (/proc/PID/status VmRSS), or -1 where there is no /proc. */
    long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(worker.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc: not Linux
        }
        return -1;
    }

    Stats stats() throws IOException {
        String[] f = ask("stats", Duration.ofSeconds(60)).split(" ");
        return new Stats(Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]));
    }

    /** The relay's live objects per class ({@code jcmd PID GC.class_histogram}), written to {@code file}. */
    void histogram(Path file) throws IOException {
        ask("histogram " + file.toAbsolutePath(), Duration.ofSeconds(60));
    }

    long cpuNanos() throws IOException {
        return Long.parseLong(ask("cpu", Duration.ofSeconds(10)).split(" ")[1]);
    }

    void jfrStart() throws IOException {
        ask("jfr-start", Duration.ofSeconds(30));
    }

    void jfrStop(Path file) throws IOException {
        ask("jfr-stop " + file.toAbsolutePath(), Duration.ofSeconds(60));
    }

    private String ask(String command, Duration timeout) throws IOException {
        return worker.ask(command, timeout);
    }

    @Override
    public void close() {
        worker.close();
    }
}
