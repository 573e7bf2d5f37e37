package org.masquerelay.interop.reliability;

import org.masquerelay.interop.worker.WorkerProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The parent's handle on a {@link LabRelay} JVM: start, sample, kill, stop. Every wait is bounded. */
final class LabRelayProcess implements AutoCloseable {
    record Stats(long heapUsed, int threads, int fds) {}

    private final WorkerProcess worker;

    private LabRelayProcess(WorkerProcess worker) {
        this.worker = worker;
    }

    static LabRelayProcess start(Path dir, String engine, Duration idle, Duration connect) throws IOException {
        return new LabRelayProcess(WorkerProcess.start("lab relay", dir, List.of("-Xmx512m", "--enable-native-access=ALL-UNNAMED"),
                LabRelay.class, List.of(dir.toAbsolutePath().toString(), engine,
                        Long.toString(idle.toSeconds()), Long.toString(connect.toSeconds()))));
    }

    String url() {
        return "https://127.0.0.1:" + worker.port() + "/";
    }

    int port() {
        return worker.port();
    }

    Path ca() {
        return worker.ca();
    }

    Stats stats() throws IOException {
        String[] f = worker.ask("stats", Duration.ofSeconds(60)).split(" ");
        return new Stats(Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]));
    }

    /** SIGKILL: the relay gets no chance to close anything. */
    void kill() throws InterruptedException {
        worker.kill();
    }

    boolean alive() {
        return worker.alive();
    }

    @Override
    public void close() {
        worker.close();
    }
}
