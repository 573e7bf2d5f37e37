package org.masquerelay.interop.worker;

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

/**
 * A relay in a JVM of its own, driven over a line protocol: the worker prints {@code ready PORT CA-FILE} once it
 * serves, then answers each command line on stdin with one line on stdout; {@code quit} ends it. Its stderr goes to
 * a log file, whose tail every error carries. The bench's relay and the reliability labs' relay both run this way, so
 * that the relay's heap, threads and CPU are its own. Every wait is bounded.
 */
public final class WorkerProcess implements AutoCloseable {
    private final String what;
    private final Process process;
    private final PrintWriter commands;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path log;
    private final int port;
    private final Path ca;

    private WorkerProcess(String what, Process process, Path log) throws IOException {
        this.what = what;
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread.ofVirtual().name(what.replace(' ', '-') + "-stdout").start(() -> {
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
        String ready;
        try {
            ready = next(Duration.ofSeconds(60));
        } catch (IOException e) {
            close();
            throw new IOException(what + " did not start: " + e.getMessage(), e);
        }
        if (!ready.startsWith("ready ")) {
            close();
            throw new IOException(what + " did not start: " + ready + "; log " + log + ":\n" + tail());
        }
        String[] f = ready.split(" ", 3);
        this.port = Integer.parseInt(f[1]);
        this.ca = Path.of(f[2]);
    }

    /**
     * Starts {@code mainClass} on this JVM's class path with these JVM options and arguments, its stderr to
     * {@code dir/relay.log}, and waits for its {@code ready} line.
     *
     * @param what names the worker in errors, e.g. "relay worker"
     */
    public static WorkerProcess start(String what, Path dir, List<String> jvmOptions, Class<?> mainClass, List<String> args)
            throws IOException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        Path log = dir.resolve("relay.log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        return new WorkerProcess(what, p, log);
    }

    public int port() {
        return port;
    }

    /** The CA certificate file the worker's relay certificate chains to. */
    public Path ca() {
        return ca;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /**
     * Sends one command and returns its answer line, which must start with the command's first word (or be
     * {@code ok}).
     */
    public synchronized String ask(String command, Duration timeout) throws IOException {
        commands.println(command);
        String answer = next(timeout);
        String word = command.split(" ")[0];
        if (!(answer.startsWith(word) || answer.equals("ok"))) {
            throw new IOException(what + " answered '" + answer + "' to " + command);
        }
        return answer;
    }

    private String next(Duration timeout) throws IOException {
        try {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new IOException(what + " silent for " + timeout.toSeconds() + " s; log:\n" + tail());
            }
            if (line.equals("eof")) {
                lines.add(line);
                throw new IOException(what + " exited; log:\n" + tail());
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** The last 30 lines of the worker's log. */
    public String tail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** SIGKILL: the relay gets no chance to close anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** {@code quit}, then SIGTERM after 10 s and SIGKILL after 5 more. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                commands.println("quit");
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
