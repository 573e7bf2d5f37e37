package org.masquerelay.acceptance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One README command run by bash, as a person's terminal would run it, in the scratch folder. Its stdout and stderr
 * go to files: with pipes, the JDK closes a child's stream when the child exits while a thread still reads it, and
 * what the child wrote last (a relay's shutdown lines) is lost. A command that serves is stopped with SIGTERM at the
 * end, as Ctrl-C would.
 */
final class ShellProcess {
    private static final List<String> PROXY_VARIABLES = List.of("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy",
            "ALL_PROXY", "no_proxy", "NO_PROXY");
    private static final long POLL_MILLIS = 20;

    final String command;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ShellProcess(String command, Process process, Path stdout, Path stderr) {
        this.command = command;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code bash -c "exec COMMAND"} (exec: a signal reaches the program itself); output into {@code logs}. */
    static ShellProcess start(String command, Path dir, Path logs) throws IOException {
        Files.createDirectories(logs);
        Path out = Files.createTempFile(logs, "out-", ".txt");
        Path err = Files.createTempFile(logs, "err-", ".txt");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "exec " + command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        // Nothing of the machine's proxy settings: relay-client and curl both read these.
        PROXY_VARIABLES.forEach(env::remove);
        // Python buffers stdout that is not a terminal; its "Serving HTTP" line is what says it listens.
        env.put("PYTHONUNBUFFERED", "1");
        return new ShellProcess(command, pb.start(), out, err);
    }

    /** Waits for the end (bounded) and returns the exit status. */
    int await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("'" + command + "' still running after " + timeout + "\n" + output());
        }
        return process.exitValue();
    }

    /**
     * Waits until stdout or stderr holds this text (bounded); fails if the process ends first. It polls the files:
     * nothing else says when the child has written a line.
     */
    void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(stdout() + stderr()).contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError("'" + command + "' ended (" + process.exitValue() + ") before printing '" + text + "'\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + command + "' did not print '" + text + "' within " + timeout + "\n" + output());
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** SIGTERM (Ctrl-C's effect), then the exit status. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    String output() {
        return "--- stdout of '" + command + "':\n" + stdout() + "--- stderr:\n" + stderr();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
