package org.masquerelay.client.cli;

import org.masquerelay.client.RelayClient;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTransport;
import org.masquerelay.client.Route;
import org.masquerelay.client.TcpChannel;
import org.masquerelay.client.fetch.FetchListener;
import org.masquerelay.client.fetch.FetchRequest;
import org.masquerelay.client.fetch.FetchResponse;
import org.masquerelay.client.fetch.Http1Exchange;
import org.masquerelay.client.fetch.Http3Exchange;
import org.masquerelay.wire.HttpFields;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One URL of {@code fetch}: the exchange through the library, its -v trace, its output and its -w timings. */
final class Transfer implements FetchListener {
    private static final Pattern VARIABLE = Pattern.compile("%\\{([a-z_]+)}");

    private final FetchCommand command;
    private final RelayClient client;
    private final TargetUrl url;
    private final byte[] body;
    private final Duration requestTimeout;
    /** Only the first transfer writes the body; copies made by --parallel read theirs to the end and drop it. */
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

    Transfer(FetchCommand command, RelayClient client, TargetUrl url, byte[] body, Duration requestTimeout, boolean primary) {
        this.command = command;
        this.client = client;
        this.url = url;
        this.body = body;
        this.requestTimeout = requestTimeout;
        this.primary = primary;
    }

    void run() throws IOException {
        String host = url.host();
        int port = url.port();
        route = client.route(host);
        command.log("* route for " + host + ": " + route);
        if (route.relayed()) {
            client.connect();
            connected = System.nanoTime();
            RelayTransport.Choice transport = client.transportChoice();
            command.log("* " + transport.protocol() + " to " + client.relays() + " up"
                    + (transport.protocol().equals("h3") ? "; QUIC datagrams offered: " + client.datagramsOffered() : ""));
            command.log("* transport: " + transport);
        }
        if (command.http3 && !url.tls()) {
            throw new ExitCodes.Failure(ExitCodes.USAGE, "--http3 needs an https:// URL, not " + url.text());
        }
        // --connect-to: the tunnel (or socket) goes to another host:port; Host and TLS keep the URL's name.
        HostOverrides.Destination to = route.relayed() ? command.relay.overrides().destination(host, port)
                : command.relay.overrides().direct(host, port);
        FetchRequest request = new FetchRequest(command.method(), url.tls(), host, port, url.path(), command.headers, body);
        try (FetchResponse response = command.http3
                ? Http3Exchange.send(client, route.relayed(), to.host(), to.port(), request, command.targetTls(),
                        RelayOptions.seconds(command.relay.connectTimeout), requestTimeout, this)
                : Http1Exchange.send(connect(host, port, to), request, command.targetTls(), this)) {
            status = response.status();
            try (OutputStream sink = sink(response.contentLength())) {
                if (command.include && primary) {
                    StringBuilder head = new StringBuilder();
                    response.head().forEach(line -> head.append(line).append("\r\n"));
                    sink.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                }
                size = copy(response.body(), sink);
            }
        } catch (RelayException e) {
            connectStatus = e.status();
            throw e;
        }
        end = System.nanoTime();
    }

    private TcpChannel connect(String host, int port, HostOverrides.Destination to) throws IOException {
        if (!to.host().equals(host) || to.port() != port) {
            command.log("* connecting to " + to.host() + ":" + to.port() + " for " + host + ":" + port);
        }
        return client.connectTcp(to.host(), to.port(), route);
    }

    @Override
    public void tunnelRequested(HttpFields request) {
        if (command.verbose) {
            command.log("> ", request);
        }
    }

    @Override
    public void tunnelEstablished(HttpFields answer, long atNanos) {
        tunnelAt = atNanos;
        connectStatus = Integer.parseInt(answer.getOrNull(":status"));
        if (command.verbose) {
            command.log("< ", answer);
        }
    }

    @Override
    public void tlsEstablished(String host, SSLSession session) {
        command.log("* TLS with " + host + ": " + session.getProtocol() + " " + session.getCipherSuite());
    }

    @Override
    public void requestSent(List<String> head) {
        head.forEach(line -> command.log("> " + line));
    }

    @Override
    public void responseReceived(List<String> head) {
        head.forEach(line -> command.log("< " + line));
    }

    @Override
    public void firstByte() {
        if (firstByte == 0) {
            firstByte = System.nanoTime();
        }
    }

    private OutputStream sink(long expected) throws IOException {
        if (!primary) {
            return OutputStream.nullOutputStream();
        }
        String output = command.output;
        if (output == null || output.equals("-")) {
            return Progress.unclosable(System.out);
        }
        OutputStream file;
        try {
            file = Files.newOutputStream(Path.of(output));
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new ExitCodes.LocalFileException(ExitCodes.WRITE_ERROR, "cannot write " + output + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such folder" : e.getMessage()), e);
        }
        return System.console() != null && !command.silent ? new Progress(file, expected, command.err) : file;
    }

    /** The body into the sink; the body's read errors arrive typed, a failed write is curl's 23. */
    private long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[32 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            try {
                out.write(buffer, 0, n);
            } catch (IOException e) {
                throw new ExitCodes.LocalFileException(ExitCodes.WRITE_ERROR, "cannot write " + command.output + ": " + e.getMessage(), e);
            }
            total += n;
        }
        out.flush();
        return total;
    }

    /** The -w text for this transfer (written for a failed transfer too, as curl does). */
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
}
