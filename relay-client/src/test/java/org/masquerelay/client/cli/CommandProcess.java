package org.masquerelay.client.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * relay-client in a JVM of its own, as a user runs it: its own environment (HTTPS_PROXY...), its own stdout and
 * stderr, its own exit, and the JDK's own name resolution (the test JVM's hosts file turns off the resolver hook
 * behind --resolve). Tests that use it only name hosts they override or IP literals, so no DNS query leaves the
 * machine.
 */
final class CommandProcess implements AutoCloseable {
    record Result(int code, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + code + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    private final Process process;
    private final BlockingQueue<String> stderrLines = new LinkedBlockingQueue<>();
    private final List<String> stderrSeen = new CopyOnWriteArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private final StringBuilder stdout = new StringBuilder();

    private CommandProcess(Process process) {
        this.process = process;
        this.stdoutReader = Thread.ofVirtual().start(() -> {
            String text = read(process.getInputStream());
            synchronized (stdout) {
                stdout.append(text);
            }
        });
        this.stderrReader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    stderrSeen.add(line);
                    stderrLines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** Starts {@code relay-client args...} with these extra environment variables (and none of the proxy ones we did not give). */
    static CommandProcess start(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                RelayClientCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        for (String v : List.of("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY")) {
            pb.environment().remove(v);
        }
        pb.environment().putAll(env);
        return new CommandProcess(pb.start());
    }

    /** Runs to the end (bounded) and returns what it printed. */
    static Result run(Map<String, String> env, String... args) throws Exception {
        try (CommandProcess p = start(env, args)) {
            return p.await(Duration.ofSeconds(60));
        }
    }

    /** The first stderr line matching, waiting for it (bounded); fails with what was printed if none comes. */
    String awaitStderr(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = stderrLines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line != null && wanted.test(line)) {
                return line;
            }
            if (line == null && !process.isAlive()) {
                break;
            }
        }
        throw new AssertionError("no such line on stderr; it printed: " + stderrSeen + (process.isAlive() ? "" : " and exited " + process.exitValue()));
    }

    List<String> stderrSoFar() {
        return List.copyOf(stderrSeen);
    }

    Result await(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + "; stderr: " + stderrSeen);
        }
        stdoutReader.join();
        stderrReader.join();
        synchronized (stdout) {
            return new Result(process.exitValue(), stdout.toString(), String.join("\n", stderrSeen));
        }
    }

    /** SIGTERM, as Ctrl-C or kill would, then what it printed. */
    Result stop() throws Exception {
        process.destroy();
        return await(Duration.ofSeconds(20));
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
