package org.masquerelay.server;

import org.masquerelay.server.certs.CertificateTool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real relay process ({@code relay-server run -c FILE}, the test's class path, on {@link RelayFixture#ENGINE}) for
 * what only a process shows: signals, exit status, the admin listener. Its stdout and stderr lines are collected, and
 * every wait on them is event-driven and bounded.
 */
final class RelayProcess implements AutoCloseable {
    private static final Pattern RUNNING = Pattern.compile("MASQUE relay running on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("admin: http://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final int port;

    private RelayProcess(Process process) throws IOException {
        this.process = process;
        collect(process.getInputStream());
        collect(process.getErrorStream());
        String running = awaitLine(l -> RUNNING.matcher(l).find(), Duration.ofSeconds(60));
        Matcher m = RUNNING.matcher(running);
        if (!m.find()) {
            throw new IOException("the relay did not start:\n" + output());
        }
        this.port = Integer.parseInt(m.group(1));
    }

    /** Certificates for localhost in {@code dir} (the CA: {@code dir/ca.pem}). */
    static CertificateTool.Result certificates(Path dir) {
        return CertificateTool.create(dir, List.of("localhost", "127.0.0.1"), false);
    }

    /**
     * Starts {@code relay-server run -c config} with these extra arguments, with the signals it handles at their
     * defaults, as a service manager starts it: whatever ran the tests may have started them with SIGHUP or SIGINT
     * ignored ({@code nohup}, a script's {@code &}), and an ignored signal stays ignored in every process below it.
     */
    static RelayProcess start(Path config, String... args) throws IOException {
        return start(List.of("env", "--default-signal=HUP,INT,TERM"), config, args);
    }

    /** As {@link #start(Path, String...)}, run through {@code prefix} (e.g. {@code env --ignore-signal=HUP}). */
    static RelayProcess start(List<String> prefix, Path config, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "org.masquerelay.server.cli.RelayServerCli", "run", "-c", config.toString(),
                "--engine", RelayFixture.ENGINE.configName()));
        cmd.addAll(List.of(args));
        return new RelayProcess(new ProcessBuilder(cmd).start());
    }

    /** A config file in {@code dir}: loopback listener on a free port, loopback targets allowed, and {@code extra}. */
    static Path config(Path dir, CertificateTool.Result certs, String extra) throws IOException {
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, """
                listen: ["127.0.0.1:0"]
                server-name: relay-under-test
                tls:
                  certificate: %s
                  private-key: %s
                policy:
                  addresses:
                    - allow: 127.0.0.0/8
                """.formatted(certs.serverCertificate(), certs.serverKey()) + extra);
        return file;
    }

    private void collect(java.io.InputStream stream) {
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException ended) {
                // the process ended
            }
        });
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The admin listener's port, from the {@code admin: http://...} line. */
    int adminPort(Duration timeout) {
        Matcher m = ADMIN.matcher(awaitLine(l -> ADMIN.matcher(l).find(), timeout));
        if (!m.find()) {
            throw new AssertionError("no admin line:\n" + output());
        }
        return Integer.parseInt(m.group(1));
    }

    /** The first output line that matches, waiting for it; fails with the whole output after the timeout. */
    String awaitLine(Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such line within " + timeout + "; output:\n" + output());
                }
                try {
                    lines.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    /** Waits until {@code n} output lines contain {@code text}. */
    void awaitCount(String text, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (count(text) < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(n + " lines with '" + text + "' expected within " + timeout + "; output:\n" + output());
                }
                try {
                    lines.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    /** How many output lines so far contain {@code text}. */
    long count(String text) {
        synchronized (lines) {
            return lines.stream().filter(l -> l.contains(text)).count();
        }
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Sends a signal by name (TERM, HUP, INT) with kill(1), as a service manager would. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -s " + name + " failed");
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to exit by itself; its status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the relay did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
