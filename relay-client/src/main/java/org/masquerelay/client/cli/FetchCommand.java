package org.masquerelay.client.cli;

import org.masquerelay.client.ChannelSocket;
import org.masquerelay.client.RelayClient;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.Route;
import org.masquerelay.client.TcpChannel;
import org.masquerelay.client.TcpTunnel;
import org.masquerelay.client.TrustMaterial;
import org.masquerelay.client.UdpMode;
import org.masquerelay.client.UdpTunnel;
import org.masquerelay.client.proxy.Http1;
import org.masquerelay.engine.ClientEngine;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.kwik.KwikClientEngine;
import org.masquerelay.engine.quiche.QuicheClientEngine;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.H3ClientConnection;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code relay-client fetch URL}: one HTTP exchange through the relay, with curl's options and timings. */
@Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fetches URLs through the relay, with curl's options and exit codes.",
                "HTTP/1.1 (TLS for https://) goes over a classic CONNECT tunnel and HTTP/3 (--http3) over connect-udp,"
                        + " as curl does through proxies. A URL without a scheme is http://, as in curl."},
        footer = {"", "-w variables (times in seconds since the start):",
                "  %%{time_connect}       QUIC+TLS to the relay done",
                "  %%{time_tunnel}        the relay answered 2xx",
                "  %%{time_starttransfer} first response byte",
                "  %%{time_total}         the end",
                "  %%{http_code}          the target's HTTP status",
                "  %%{http_connect}       the relay's status for the tunnel request (curl's name)",
                "  %%{size_download}, %%{route} (relay or direct), %%{url}",
                "", ExitCodes.FETCH_HELP})
final class FetchCommand implements Callable<Integer> {
    private static final Pattern VARIABLE = Pattern.compile("%\\{([a-z_]+)}");

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

    private final PrintStream err = System.err;

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
                    Transfer t = new Transfer(clientOf.get(url), url, body, requestTimeout, copy == 0 && u == 0);
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
            QuicheClientEngine.releaseThreads(); // or the JVM's exit waits ~300 ms for the epoll thread
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

    private synchronized void log(String prefix, HttpFields fields) {
        for (HttpFields.Field f : fields) {
            err.println(prefix + f.name() + ": " + f.value());
        }
    }

    private synchronized void log(String line) {
        if (verbose) {
            err.println(line);
        }
    }

    /** One exchange, with its timings. */
    private final class Transfer {
        private final RelayClient client;
        private final TargetUrl url;
        private final byte[] body;
        private final Duration requestTimeout;
        private final boolean primary;
        private final long start = System.nanoTime();
        private long connected;
        private long tunnelAt;
        private volatile long firstByte;
        private long end;
        private int status;
        private volatile int connectStatus;
        private long size;
        private Route route;

        Transfer(RelayClient client, TargetUrl url, byte[] body, Duration requestTimeout, boolean primary) {
            this.client = client;
            this.url = url;
            this.body = body;
            this.requestTimeout = requestTimeout;
            this.primary = primary;
        }

        void run() throws IOException {
            boolean tls = url.tls();
            String host = url.host();
            int port = url.port();
            String path = url.path();
            route = client.route(host);
            log("* route for " + host + ": " + route);
            if (route.relayed()) {
                client.connect();
                connected = System.nanoTime();
                log("* QUIC to " + client.relays() + " up; QUIC datagrams offered: " + client.datagramsOffered());
            }
            try {
                if (http3) {
                    if (!tls) {
                        throw new ExitCodes.Failure(ExitCodes.USAGE, "--http3 needs an https:// URL, not " + url.text());
                    }
                    fetchHttp3(host, port, path);
                } else {
                    fetchHttp1(tls, host, port, path);
                }
            } catch (RelayException e) {
                connectStatus = e.status();
                throw e;
            }
            end = System.nanoTime();
        }

        private String authority(String host, int port, boolean tls) {
            String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            return (port == (tls ? 443 : 80)) ? h : h + ":" + port;
        }

        private String method() {
            return method != null ? method : body != null ? "POST" : "GET";
        }

        private void fetchHttp1(boolean tls, String host, int port, String path) throws IOException {
            // --connect-to: the tunnel (or socket) goes to another host:port; Host and TLS keep the URL's name.
            HostOverrides.Destination to = route.relayed() ? relay.overrides().destination(host, port)
                    : relay.overrides().direct(host, port);
            if (!to.host().equals(host) || to.port() != port) {
                log("* connecting to " + to.host() + ":" + to.port() + " for " + host + ":" + port);
            }
            TcpChannel channel = client.connectTcp(to.host(), to.port(), route);
            TcpTunnel tunnel = channel instanceof TcpTunnel t ? t : null;
            if (tunnel != null && verbose) {
                log("> ", tunnel.requestHeaders());
            }
            Socket socket = new ChannelSocket(channel, InetSocketAddress.createUnresolved(host, port));
            try {
                if (tls) {
                    socket = startTls(socket, host, port, tunnel);
                }
                StringBuilder request = new StringBuilder();
                request.append(method()).append(' ').append(path).append(" HTTP/1.1\r\n");
                request.append("Host: ").append(authority(host, port, tls)).append("\r\n");
                boolean userAgent = false;
                for (String h : headers) {
                    userAgent |= h.toLowerCase(Locale.ROOT).startsWith("user-agent:");
                    request.append(h).append("\r\n");
                }
                if (!userAgent) {
                    request.append("User-Agent: relay-client/0.1\r\n");
                }
                request.append("Accept: */*\r\nConnection: close\r\n");
                if (body != null) {
                    request.append("Content-Length: ").append(body.length).append("\r\n");
                }
                request.append("\r\n");
                OutputStream out = socket.getOutputStream();
                // Over plain HTTP these bytes go before the relay's 200: optimistic data, as Apple's client does.
                out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
                log(request.toString().strip().lines().map(l -> "> " + l).reduce((a, b) -> a + "\n" + b).orElse(""));
                if (tunnel != null) {
                    awaitTunnel(tunnel);
                }
                InputStream in = new BufferedInputStream(new FirstByte(socket.getInputStream()));
                Http1.Head head;
                try {
                    head = Http1.readHead(in);
                    if (head == null) {
                        throw ExitCodes.TargetException.emptyReply("the target closed the connection without an HTTP response");
                    }
                    String[] parts = head.startLine().split(" ", 3);
                    status = Integer.parseInt(parts[1]);
                } catch (IOException | RuntimeException e) {
                    throw targetFailure(tunnel, e, "no valid HTTP response from " + host + ":" + port);
                }
                log("< " + head.startLine());
                head.headers().forEach(h -> log("< " + h[0] + ": " + h[1]));
                String cl = head.header("content-length");
                try (OutputStream sink = sink(cl == null ? -1 : Long.parseLong(cl.trim()))) {
                    if (include && primary) {
                        StringBuilder sb = new StringBuilder(head.startLine()).append("\r\n");
                        head.headers().forEach(h -> sb.append(h[0]).append(": ").append(h[1]).append("\r\n"));
                        sink.write(sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                    }
                    size = copy(Http1.responseBody(in, method(), status, head), sink, tunnel);
                }
            } finally {
                socket.close();
            }
        }

        private void awaitTunnel(TcpTunnel tunnel) throws IOException {
            HttpFields response = tunnel.awaitResponse();
            tunnelAt = tunnel.answeredAtNanos();
            connectStatus = Integer.parseInt(response.getOrNull(":status"));
            if (verbose) {
                log("< ", response);
            }
        }

        private Socket startTls(Socket plain, String host, int port, TcpTunnel tunnel) throws IOException {
            SSLSocket ssl;
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, targetTrust(), null);
                ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS: " + e.getMessage(), e);
            }
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm(insecure ? null : "HTTPS");
            params.setApplicationProtocols(new String[] {"http/1.1"});
            ssl.setSSLParameters(params);
            try {
                ssl.startHandshake(); // the ClientHello goes before the relay's 200 (optimistic data)
            } catch (IOException e) {
                if (tunnel != null && tunnel.failure().isPresent()) {
                    throw tunnel.failure().get();
                }
                if (e instanceof SSLHandshakeException && isCertificateProblem(e)) {
                    throw ExitCodes.TargetException.untrusted("TLS trust failure with the target " + host + ":" + port + ": "
                            + innermost(e) + (caCert == null ? " (give its CA with --cacert, or -k)" : ""), e);
                }
                if (e instanceof SSLHandshakeException) {
                    throw ExitCodes.TargetException.tls("TLS handshake with the target " + host + ":" + port + " failed: "
                            + innermost(e), e);
                }
                throw targetFailure(tunnel, e, "TLS handshake with " + host + ":" + port + " failed");
            }
            if (tunnel != null) {
                awaitTunnel(tunnel);
            }
            log("* TLS with " + host + ": " + ssl.getSession().getProtocol() + " " + ssl.getSession().getCipherSuite());
            return ssl;
        }

        private TrustManager[] targetTrust() {
            if (insecure) {
                return new TrustManager[] {new X509TrustManager() {
                    @Override
                    public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    }

                    @Override
                    public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    }

                    @Override
                    public X509Certificate[] getAcceptedIssuers() {
                        return new X509Certificate[0];
                    }
                }};
            }
            return caCert == null ? null : new TrustManager[] {TrustMaterial.fromCaFile(caCert)};
        }

        private void fetchHttp3(String host, int port, String path) throws IOException {
            UdpTunnel udp = null;
            DatagramSocket socket = null;
            HostOverrides.Destination to = route.relayed() ? relay.overrides().destination(host, port)
                    : relay.overrides().direct(host, port);
            if (route.relayed()) {
                udp = client.openUdp(to.host(), to.port(), UdpMode.CAPSULES);
                if (verbose) {
                    log("> ", udp.requestHeaders());
                }
                socket = RelayClient.datagramSocket(udp);
            }
            DatagramSocket chosen = socket;
            X509TrustManager trust = insecure ? null : TrustMaterial.forQuic(caCert == null ? null : TrustMaterial.fromCaFile(caCert), host);
            ClientEngineSettings settings = ClientEngineSettings.builder().relay(host, to.port())
                    .insecure(insecure)
                    .trustManager(trust)
                    .connectTimeout(RelayOptions.seconds(relay.connectTimeout))
                    .socketSupplier(chosen == null ? null : () -> chosen)
                    .build();
            H3ClientConnection h3;
            try {
                // HTTP/3 to the target goes through a connect-udp tunnel (a supplied socket): an engine that cannot
                // send through one (quiche) leaves this inner connection to Kwik; the relay hop keeps its engine.
                ClientEngine inner = chosen == null || client.engine().acceptsSuppliedSockets() ? client.engine()
                        : new KwikClientEngine();
                h3 = inner.connect(settings);
            } catch (IOException e) {
                if (udp != null && udp.failure() != null) {
                    throw udp.failure();
                }
                String m = innermost(e);
                if (m.toLowerCase(Locale.ROOT).contains("certificate") || m.toLowerCase(Locale.ROOT).contains("servername")) {
                    throw ExitCodes.TargetException.untrusted("TLS trust failure with the target " + host + ":" + port + " (HTTP/3): " + m, e);
                }
                throw ExitCodes.TargetException.receive("no HTTP/3 connection with " + host + ":" + port + (udp != null ? " through the relay" : "") + ": " + m, e);
            }
            try {
                if (udp != null) {
                    HttpFields answer = udp.awaitResponse();
                    tunnelAt = udp.answeredAtNanos();
                    connectStatus = Integer.parseInt(answer.getOrNull(":status"));
                    if (verbose) {
                        log("< ", answer);
                    }
                }
                HttpFields.Builder request = HttpFields.builder()
                        .add(":method", method())
                        .add(":scheme", "https")
                        .add(":authority", authority(host, port, true))
                        .add(":path", path);
                boolean userAgent = false;
                for (String h : headers) {
                    int colon = h.indexOf(':');
                    String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    if (!name.equals("host") && !name.equals("connection")) {
                        request.add(name, h.substring(colon + 1).trim());
                        userAgent |= name.equals("user-agent");
                    }
                }
                if (!userAgent) {
                    request.add("user-agent", "relay-client/0.1");
                }
                if (body != null) {
                    request.add("content-length", Integer.toString(body.length));
                }
                HttpFields fields = request.build();
                if (verbose) {
                    log("> ", fields);
                }
                ClientStream stream = h3.openRequest(fields);
                if (body != null) {
                    stream.bodyOut().write(body);
                }
                stream.finish();
                HttpFields response = stream.awaitResponse(requestTimeout);
                status = Integer.parseInt(response.getOrNull(":status"));
                if (verbose) {
                    log("< ", response);
                }
                String cl = response.getOrNull("content-length");
                try (OutputStream sink = sink(cl == null ? -1 : Long.parseLong(cl))) {
                    if (include && primary) {
                        StringBuilder sb = new StringBuilder("HTTP/3 " + status + "\r\n");
                        response.forEach(f -> {
                            if (!f.isPseudo()) {
                                sb.append(f.name()).append(": ").append(f.value()).append("\r\n");
                            }
                        });
                        sink.write(sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                    }
                    size = copy(new FirstByte(stream.body()), sink, null);
                }
            } finally {
                h3.close(H3.H3_NO_ERROR, "done");
                if (socket != null) {
                    socket.close();
                }
            }
        }

        private IOException targetFailure(TcpTunnel tunnel, Exception e, String what) {
            if (tunnel != null && tunnel.failure().isPresent()) {
                return tunnel.failure().get();
            }
            if (e instanceof RelayException re) {
                return re;
            }
            if (e instanceof ExitCodes.TargetException already) {
                return already; // e.g. an empty reply (curl 52) stays one
            }
            return ExitCodes.TargetException.receive(what + ": " + innermost(e), e);
        }

        private OutputStream sink(long expected) throws IOException {
            if (!primary) {
                return OutputStream.nullOutputStream();
            }
            if (output == null || output.equals("-")) {
                return new FilterOutputStreamNoClose(System.out);
            }
            OutputStream file;
            try {
                file = Files.newOutputStream(Path.of(output));
            } catch (IOException | java.nio.file.InvalidPathException e) {
                throw new ExitCodes.LocalFileException(ExitCodes.WRITE_ERROR, "cannot write " + output + ": "
                        + (e instanceof java.nio.file.NoSuchFileException ? "no such folder" : e.getMessage()), e);
            }
            return System.console() != null && !silent ? new Progress(file, expected, err) : file;
        }

        private long copy(InputStream in, OutputStream out, TcpTunnel tunnel) throws IOException {
            byte[] buffer = new byte[32 * 1024];
            long total = 0;
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    total += n;
                }
            } catch (IOException e) {
                if (e instanceof RelayException) {
                    throw e;
                }
                throw targetFailure(tunnel, e, "the response body from the target broke off after " + total + " bytes");
            }
            out.flush();
            return total;
        }

        String writeOut(String format) {
            String f = format.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r");
            Map<String, String> values = Map.of(
                    "time_connect", seconds(connected),
                    "time_tunnel", seconds(tunnelAt),
                    "time_starttransfer", seconds(firstByte),
                    "time_total", seconds(end),
                    "http_code", Integer.toString(status),
                    "http_connect", Integer.toString(connectStatus),
                    "size_download", Long.toString(size),
                    "route", route == null ? "" : route.relayed() ? "relay" : "direct",
                    "url", url.text());
            Matcher m = VARIABLE.matcher(f);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group())));
            }
            m.appendTail(sb);
            return sb.toString();
        }

        private String seconds(long at) {
            return at == 0 ? "0.000000" : String.format(Locale.ROOT, "%.6f", (at - start) / 1e9);
        }

        /** Notes when the first response byte arrives. */
        private final class FirstByte extends FilterInputStream {
            FirstByte(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                mark();
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    mark();
                }
                return n;
            }

            private void mark() {
                if (firstByte == 0) {
                    firstByte = System.nanoTime();
                }
            }
        }
    }

    /** A handshake that failed over the peer's certificate (curl 60), not otherwise (curl 35). */
    private static boolean isCertificateProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateException || t instanceof java.security.cert.CertPathValidatorException) {
                return true;
            }
        }
        String m = innermost(e).toLowerCase(Locale.ROOT);
        return m.contains("certificat") || m.contains("certification path") || m.contains("no subject alternative");
    }

    private static String innermost(Throwable e) {
        String message = e.toString();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }

    /** stdout must stay open for -w and later transfers. */
    private static final class FilterOutputStreamNoClose extends java.io.FilterOutputStream {
        FilterOutputStreamNoClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** A progress line on the terminal for -o downloads; only made when System.console() exists. */
    private static final class Progress extends java.io.FilterOutputStream {
        private final long expected;
        private final PrintStream err;
        private long written;
        private long lastDraw;

        Progress(OutputStream out, long expected, PrintStream err) {
            super(out);
            this.expected = expected;
            this.err = err;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written += len;
            long now = System.nanoTime();
            if (now - lastDraw > 100_000_000L) {
                lastDraw = now;
                draw();
            }
        }

        private void draw() {
            if (expected > 0) {
                int width = 30;
                int filled = (int) Math.min(width, written * width / expected);
                err.printf(Locale.ROOT, "\r[%s%s] %3d%% %s / %s", "#".repeat(filled), " ".repeat(width - filled),
                        written * 100 / expected, human(written), human(expected));
            } else {
                err.printf(Locale.ROOT, "\r%s", human(written));
            }
            err.flush();
        }

        @Override
        public void close() throws IOException {
            draw();
            err.println();
            super.close();
        }

        private static String human(long bytes) {
            if (bytes < 1024) {
                return bytes + " B";
            }
            if (bytes < 1024 * 1024) {
                return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
            }
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
    }
}
