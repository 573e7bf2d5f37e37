package org.masquerelay.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * relay-client in a JVM of its own, as a user runs it: its own environment (HTTPS_PROXY...), its own stdout and
 * stderr, its own exit, and the JDK's own name resolution (the test JVM's hosts file turns off the resolver hook
 * behind --resolve). Tests that use it only name hosts they override or IP literals, so no DNS query leaves the
 * machine. Output goes to files: with pipes the JDK closes a child's stream when it exits while a thread still
 * reads, and the last lines can be lost.
 */
final class CommandProcess implements AutoCloseable {
    private static final long POLL_MILLIS = 20;

    record Result(int code, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + code + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CommandProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code relay-client args...} with these environment variables, and none of the proxy ones not given. */
    static CommandProcess start(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                RelayClientCli.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("relay-client-out-", ".txt");
        Path err = Files.createTempFile("relay-client-err-", ".txt");
        out.toFile().deleteOnExit();
        err.toFile().deleteOnExit();
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        for (String v : List.of("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY")) {
            pb.environment().remove(v);
        }
        pb.environment().putAll(env);
        return new CommandProcess(pb.start(), out, err);
    }

    /** Runs to the end (bounded) and returns what it printed. */
    static Result run(Map<String, String> env, String... args) throws Exception {
        try (CommandProcess p = start(env, args)) {
            return p.await(Duration.ofSeconds(60));
        }
    }

    /**
     * The first stderr line matching, waiting for it (bounded); fails with what was printed if none comes. It polls
     * the file: nothing else says when the child has written a line.
     */
    String awaitStderr(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : read(stderr).lines().toList()) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no such line on stderr; it printed: " + read(stderr)
                        + (process.isAlive() ? "" : " and exited " + process.exitValue()));
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    Result await(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + "; stderr: " + read(stderr));
        }
        return new Result(process.exitValue(), read(stdout), read(stderr));
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

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
