package org.masquerelay.interop.matrix;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs every client × server × case cell, one at a time (two cores; Kwik is CPU-hungry), each on a fresh connection
 * and bounded in time, and writes each cell's log to {@code logs/<client>__<server>__<case>.log}.
 */
public final class MatrixRunner {
    static final Duration CELL_TIMEOUT = Duration.ofSeconds(40);

    private MatrixRunner() {
    }

    public static List<CaseResult> run(InteropEnv env, List<ClientPeer> clients, List<ServerPeer> servers, List<Case> cases,
                                       Path logDir, Consumer<CaseResult> progress) throws Exception {
        List<CaseResult> results = new ArrayList<>();
        for (ServerPeer serverPeer : servers) {
            try (ServerPeer.Running running = serverPeer.start(env)) {
                for (ClientPeer client : clients) {
                    for (Case c : cases) {
                        String unsupported = serverPeer.unsupported(c, client.name());
                        CaseResult r = unsupported != null
                                ? new CaseResult(client.name(), serverPeer.name(), c, CaseResult.Status.UNSUPPORTED,
                                        unsupported, List.of("unsupported by the server: " + unsupported), 0, client.transport())
                                : runCell(client, running.target(), c, env);
                        writeLog(logDir, r);
                        results.add(r);
                        progress.accept(r);
                    }
                }
            }
        }
        return results;
    }

    static CaseResult runCell(ClientPeer client, ServerUnderTest server, Case c, InteropEnv env) {
        CellLog log = new CellLog();
        long t0 = System.nanoTime();
        Transport over = client.transport();
        String notApplicable = c.notApplicable(over);
        if (notApplicable != null) {
            log.add("not applicable over " + over.label + ": " + notApplicable);
            return new CaseResult(client.name(), server.name(), c, CaseResult.Status.NOT_APPLICABLE, notApplicable, log.lines(), 0, over);
        }
        String unsupported = over.overTcp() && server.tcpAddress() == null
                ? "server peer " + server.name() + " has no TCP listener (HTTP/2, HTTP/1.1)" : client.unsupported(c);
        if (unsupported != null) {
            log.add("unsupported: " + unsupported);
            return new CaseResult(client.name(), server.name(), c, CaseResult.Status.UNSUPPORTED, unsupported, log.lines(), 0, over);
        }
        log.add(c + " (" + c.title + "): " + c.description);
        if (c.over(over) != null) {
            log.add("over " + over.label + ": " + c.over(over));
        }
        CompletableFuture<Void> cell = CompletableFuture.runAsync(() -> {
            try {
                client.run(c, server, env, log);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, Thread::startVirtualThread);
        CaseResult.Status status = CaseResult.Status.PASS;
        String cause = "";
        try {
            cell.get(CELL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            status = CaseResult.Status.FAIL;
            cause = "timed out after " + CELL_TIMEOUT.toSeconds() + " s";
        } catch (ExecutionException e) {
            Throwable why = e.getCause() instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : e.getCause();
            status = CaseResult.Status.FAIL;
            cause = why instanceof CaseFailure ? why.getMessage() : why.toString();
            if (!(why instanceof CaseFailure)) {
                StringWriter trace = new StringWriter();
                why.printStackTrace(new PrintWriter(trace));
                trace.toString().lines().limit(12).forEach(log::add);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = CaseResult.Status.FAIL;
            cause = "interrupted";
        }
        log.add(status.symbol + " " + (cause.isEmpty() ? "passed" : cause));
        return new CaseResult(client.name(), server.name(), c, status, cause, log.lines(), (System.nanoTime() - t0) / 1_000_000, over);
    }

    private static void writeLog(Path logDir, CaseResult r) throws IOException {
        if (logDir == null) {
            return;
        }
        Files.createDirectories(logDir);
        Files.write(logDir.resolve(r.client() + "__" + r.server() + "__" + r.testCase() + ".log"), r.log());
    }
}
