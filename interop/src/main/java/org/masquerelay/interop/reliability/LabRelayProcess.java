package org.masquerelay.interop.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The parent's handle on a {@link LabRelay} JVM: start, sample, kill, stop. Every wait is bounded. */
final class LabRelayProcess implements AutoCloseable {
    record Stats(long heapUsed, int threads, int fds) {}

    private final Process process;
    private final PrintWriter commands;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path log;
    private final int port;
    private final Path ca;

    private LabRelayProcess(Process process, Path log) throws IOException {
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread.ofVirtual().name("lab-relay-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the relay ended
            }
            lines.add("eof");
        });
        String ready = next(Duration.ofSeconds(60));
        if (!ready.startsWith("ready ")) {
            close();
            throw new IOException("lab relay did not start: " + ready + "; log " + log + ":\n" + tail());
        }
        String[] f = ready.split(" ", 3);
        this.port = Integer.parseInt(f[1]);
        this.ca = Path.of(f[2]);
    }

    static LabRelayProcess start(Path dir, String engine, Duration idle, Duration connect) throws IOException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                LabRelay.class.getName(), dir.toAbsolutePath().toString(), engine,
                Long.toString(idle.toSeconds()), Long.toString(connect.toSeconds())));
        Path log = dir.resolve("relay.log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        return new LabRelayProcess(p, log);
    }

    String url() {
        return "https://127.0.0.1:" + port + "/";
    }

    int port() {
        return port;
    }

    Path ca() {
        return ca;
    }

    synchronized Stats stats() throws IOException {
        commands.println("stats");
        String[] f = next(Duration.ofSeconds(60)).split(" ");
        if (!f[0].equals("stats")) {
            throw new IOException("lab relay answered '" + String.join(" ", f) + "' to stats");
        }
        return new Stats(Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]));
    }

    /** SIGKILL: the relay gets no chance to close anything. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process.isAlive();
    }

    private String next(Duration timeout) throws IOException {
        try {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new IOException("lab relay silent for " + timeout.toSeconds() + " s; log:\n" + tail());
            }
            if (line.equals("eof")) {
                lines.add(line);
                throw new IOException("lab relay exited; log:\n" + tail());
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
            if (process.isAlive()) {
                commands.println("quit");
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
