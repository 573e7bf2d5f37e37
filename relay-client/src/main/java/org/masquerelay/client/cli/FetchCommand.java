package org.masquerelay.client.cli;

import org.masquerelay.client.ClientEngines;
import org.masquerelay.client.RelayClient;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.fetch.FetchRequest;
import org.masquerelay.client.fetch.TargetTls;
import org.masquerelay.wire.HttpFields;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code relay-client fetch URL}: one HTTP exchange through the relay, with curl's options and timings. */
@Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fetches URLs through the relay, with curl's options and exit codes.",
                "HTTP/1.1 (TLS for https://) goes over a classic CONNECT tunnel and HTTP/3 (--http3) over connect-udp,"
                        + " as curl does through proxies. A URL without a scheme is http://, as in curl."},
        footer = {"", "-w variables (times in seconds since the start):",
                "  %%{time_connect}       QUIC+TLS (or TCP+TLS) to the relay done",
                "  %%{time_tunnel}        the relay answered 2xx",
                "  %%{time_starttransfer} first response byte",
                "  %%{time_total}         the end",
                "  %%{http_code}          the target's HTTP status",
                "  %%{http_connect}       the relay's status for the tunnel request (curl's name)",
                "  %%{size_download}, %%{route} (relay or direct), %%{url}",
                "", ExitCodes.FETCH_HELP})
final class FetchCommand implements Callable<Integer> {
    @Mixin
    RelayOptions relay;

    @Parameters(arity = "1..*", paramLabel = "URL", description = "http:// or https:// URL(s) to fetch (no scheme: http://).")
    List<String> urls;

    @Option(names = {"-X", "--request"}, paramLabel = "METHOD", description = "Request method (default GET, POST with -d).")
    String method;

    @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'", description = "Request header for the target (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-d", "--data"}, paramLabel = "DATA", description = "Request body; @file reads it from a file.")
    String data;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the body to this file ('-' is stdout) instead of stdout; a progress bar on a terminal.")
    String output;

    @Option(names = {"-i", "--include"}, description = "Include the response status line and headers in the output.")
    boolean include;

    @Option(names = {"-v", "--verbose"}, description = "Show the route, the CONNECT request and response (Proxy-Status included) and the HTTP exchange on stderr.")
    boolean verbose;

    @Option(names = {"-w", "--write-out"}, paramLabel = "FORMAT", description = "Print this after the transfer (variables below), e.g. '%%{http_code}\\n'.")
    String writeOut;

    @Option(names = {"-m", "--max-time"}, paramLabel = "SECONDS", description = "Give up on the whole operation after this long.")
    double maxTime;

    @Option(names = "--http3", description = "HTTP/3 to the target through connect-udp (QUIC inside the tunnel).")
    boolean http3;

    @Option(names = "--parallel", paramLabel = "N", description = "Fetch each URL N times at once, all tunnels on one relay connection (default ${DEFAULT-VALUE}).")
    int parallel = 1;

    @Option(names = {"-k", "--insecure"}, description = "Do not verify the target's certificate.")
    boolean insecure;

    @Option(names = "--cacert", paramLabel = "FILE", description = "Trust these CA certificates for the target (default: system roots).")
    Path caCert;

    @Option(names = {"-s", "--silent"}, description = "No progress bar and no error message (the exit code still tells).")
    boolean silent;

    final PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        ClientLogging.configure(verbose);
        if (!silent) {
            relay.warnIfInsecure(err);
        }
        Duration requestTimeout = maxTime > 0 ? RelayOptions.seconds(Math.min(maxTime, 15)) : Duration.ofSeconds(15);
        List<TargetUrl> targets;
        byte[] body;
        Map<List<String>, RelayClient> clients = new LinkedHashMap<>();
        Map<TargetUrl, RelayClient> clientOf = new LinkedHashMap<>();
        try {
            targets = urls.stream().map(TargetUrl::parse).toList();
            headers.forEach(FetchRequest::checkHeaderLine);
            body = body();
            // One relay connection per distinct relay: -x, or per URL scheme from the environment (curl's rule).
            for (TargetUrl t : targets) {
                List<String> relays = relay.relaysFor(t.scheme());
                RelayClient c = clients.get(relays);
                if (c == null) {
                    c = relay.build(requestTimeout, relays);
                    clients.put(relays, c);
                }
                clientOf.put(t, c);
            }
        } catch (ExitCodes.Failure | ExitCodes.LocalFileException e) {
            clients.values().forEach(RelayClient::close);
            return fail(ExitCodes.of(e));
        } catch (IllegalArgumentException e) {
            clients.values().forEach(RelayClient::close);
            return fail(new ExitCodes.Outcome(ExitCodes.USAGE, e.getMessage()));
        }
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Transfer> transfers = new ArrayList<>();
            List<Future<Transfer>> running = new ArrayList<>();
            for (int u = 0; u < targets.size(); u++) {
                for (int copy = 0; copy < Math.max(1, parallel); copy++) {
                    TargetUrl url = targets.get(u);
                    Transfer t = new Transfer(this, clientOf.get(url), url, body, requestTimeout, copy == 0 && u == 0);
                    transfers.add(t);
                    running.add(pool.submit(() -> {
                        t.run();
                        return t;
                    }));
                }
            }
            long deadline = maxTime > 0 ? System.nanoTime() + (long) (maxTime * 1e9) : Long.MAX_VALUE;
            ExitCodes.Outcome first = null;
            for (int i = 0; i < running.size(); i++) {
                try {
                    running.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    return fail(new ExitCodes.Outcome(ExitCodes.TIMEOUT, "timeout: operation took longer than " + maxTime + " s (--max-time)"));
                } catch (java.util.concurrent.ExecutionException e) {
                    if (first == null) {
                        first = ExitCodes.of(e.getCause());
                        if (verbose && ExitCodes.unwrap(e.getCause()) instanceof RelayException re) {
                            re.response().ifPresent(r -> log("< ", r));
                        }
                        if (verbose && ExitCodes.unwrap(e.getCause()).getCause() != null) {
                            // -v: where a lower layer failed, for a bug report; the one-line message follows.
                            e.getCause().printStackTrace(err);
                        }
                    }
                }
                // As curl: -w is written for a failed transfer too (%{http_connect} then says what the relay answered).
                if (writeOut != null) {
                    System.out.print(transfers.get(i).writeOut(writeOut));
                    System.out.flush();
                }
            }
            return first == null ? ExitCodes.OK : fail(first);
        } finally {
            pool.shutdownNow();
            clients.values().forEach(RelayClient::close);
            ClientEngines.releaseThreads(); // or the JVM's exit waits ~300 ms for the epoll thread
        }
    }

    /** The request body: -d text, or -d @file (curl 26 when the file cannot be read). */
    private byte[] body() throws ExitCodes.LocalFileException {
        if (data == null) {
            return null;
        }
        if (!data.startsWith("@")) {
            return data.getBytes(StandardCharsets.UTF_8);
        }
        Path file = Path.of(data.substring(1));
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ExitCodes.LocalFileException(ExitCodes.READ_ERROR, "cannot read the request body from " + file + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()), e);
        }
    }

    private int fail(ExitCodes.Outcome outcome) {
        if (!silent) {
            err.println("relay-client: " + outcome.message());
        }
        return outcome.code();
    }

    synchronized void log(String prefix, HttpFields fields) {
        for (HttpFields.Field f : fields) {
            err.println(prefix + f.name() + ": " + f.value());
        }
    }

    /** A -v line on stderr. */
    synchronized void log(String line) {
        if (verbose) {
            err.println(line);
        }
    }

    String method() {
        return method != null ? method : data != null ? "POST" : "GET";
    }

    /** How the target's certificate is checked (--cacert, -k). */
    TargetTls targetTls() {
        return new TargetTls(insecure, caCert);
    }
}
