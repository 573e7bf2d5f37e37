package org.masquerelay.interop.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The parent's handle on a {@link RelayWorker} JVM: start, query, stop. Every wait is bounded. */
final class RelayProcess implements AutoCloseable {
    /** The relay JVM's own settings, printed with the machine facts. */
    static final List<String> JVM_OPTIONS = List.of("-Xms512m", "-Xmx2g", "-Djdk.trackAllThreads=true");

    record Stats(long heapUsed, int platformThreads, int allThreads, long cpuNanos) {}

    private final Process process;
    private final PrintWriter commands;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path log;
    private final int port;
    private final Path caCertificate;

    private RelayProcess(Process process, Path log) throws IOException {
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread.ofVirtual().name("relay-worker-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the worker ended
            }
            lines.add("eof");
        });
        String ready = next(Duration.ofSeconds(60));
        if (!ready.startsWith("ready ")) {
            close();
            throw new IOException("relay worker did not start: " + ready + "; log " + log + ":\n" + tail());
        }
        String[] f = ready.split(" ", 3);
        this.port = Integer.parseInt(f[1]);
        this.caCertificate = Path.of(f[2]);
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
        Files.createDirectories(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(JVM_OPTIONS);
        cmd.addAll(extraJvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(RelayWorker.class.getName());
        cmd.add(dir.toAbsolutePath().toString());
        cmd.add(engine);
        cmd.addAll(workerArgs);
        Path log = dir.resolve("relay.log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        return new RelayProcess(p, log);
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The dev CA that issued the relay's certificate. */
    Path caCertificate() {
        return caCertificate;
    }

    long pid() {
        return process.pid();
    }

    /** Open file descriptors of the relay process (/proc), or -1 where there is no /proc. */
    long openFiles() {
        try (var files = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return files.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Resident set size of the relay process in bytes (/proc/PID/status VmRSS), or -1 where there is no /proc. */
    long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc: not Linux
        }
        return -1;
    }

    synchronized Stats stats() throws IOException {
        String[] f = ask("stats", Duration.ofSeconds(60)).split(" ");
        return new Stats(Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]));
    }

    /** The relay's live objects per class ({@code jcmd PID GC.class_histogram}), written to {@code file}. */
    synchronized void histogram(Path file) throws IOException {
        ask("histogram " + file.toAbsolutePath(), Duration.ofSeconds(60));
    }

    synchronized long cpuNanos() throws IOException {
        return Long.parseLong(ask("cpu", Duration.ofSeconds(10)).split(" ")[1]);
    }

    synchronized void jfrStart() throws IOException {
        ask("jfr-start", Duration.ofSeconds(30));
    }

    synchronized void jfrStop(Path file) throws IOException {
        ask("jfr-stop " + file.toAbsolutePath(), Duration.ofSeconds(60));
    }

    private String ask(String command, Duration timeout) throws IOException {
        commands.println(command);
        String answer = next(timeout);
        String word = command.split(" ")[0];
        if (!(answer.startsWith(word) || answer.equals("ok"))) {
            throw new IOException("relay worker answered '" + answer + "' to " + command);
        }
        return answer;
    }

    private String next(Duration timeout) throws IOException {
        try {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new IOException("relay worker silent for " + timeout + "; log:\n" + tail());
            }
            if (line.equals("eof")) {
                lines.add(line);
                throw new IOException("relay worker exited; log:\n" + tail());
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    String tail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        try {
            commands.println("quit");
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
