package org.masquerelay.client.proxy;

import org.masquerelay.client.AuthenticationException;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTimeoutException;
import org.masquerelay.client.TcpChannel;
import org.masquerelay.client.TunnelRefusedException;
import org.masquerelay.client.internal.Http1;
import org.masquerelay.wire.ProxyStatus;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.Target;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One HTTP proxy client connection: {@code CONNECT host:port} becomes a tunnel; an absolute-form
 * {@code GET http://host/...} is forwarded as one request (Connection: close) over a tunnel. Failures are answered
 * with a status and a Proxy-Status field (the relay's own when it gave one), never a dropped connection.
 */
final class HttpProxySession {
    /** Hop-by-hop fields (RFC 9110 §7.6.1) and proxy credentials stay here. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "proxy-connection", "keep-alive", "proxy-authorization",
            "te", "trailer", "upgrade");

    private final LocalProxy proxy;
    private final Socket socket;

    HttpProxySession(LocalProxy proxy, Socket socket) {
        this.proxy = proxy;
        this.socket = socket;
    }

    void run() {
        try {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            Http1.Head head;
            try {
                head = Http1.readHead(in);
            } catch (IOException e) {
                respond(out, 400, "bad request: " + e.getMessage(), null);
                return;
            }
            if (head == null) {
                return;
            }
            String[] parts = head.startLine().split(" ");
            if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
                respond(out, 400, "bad request line: " + head.startLine(), null);
                return;
            }
            String method = parts[0];
            if (method.equals("CONNECT")) {
                connect(in, out, parts[1]);
            } else if (parts[1].toLowerCase(Locale.ROOT).startsWith("http://")) {
                forward(in, out, method, parts[1], head);
            } else {
                respond(out, 400, "this is a proxy: send CONNECT host:port or an absolute http:// URL (https:// goes through CONNECT)", null);
            }
        } catch (IOException e) {
            // the client went away: its socket is closed by the caller
        }
    }

    private void connect(InputStream in, OutputStream out, String authority) throws IOException {
        Target target;
        try {
            target = Target.parseAuthority(authority);
        } catch (Refusal e) {
            respond(out, 400, e.getMessage(), null);
            return;
        }
        TcpChannel channel = open(out, "CONNECT", target);
        if (channel == null) {
            return;
        }
        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Pipe.run(in, socket, channel);
        proxy.release(channel);
    }

    private void forward(InputStream in, OutputStream out, String method, String url, Http1.Head head) throws IOException {
        URI uri;
        Target target;
        try {
            uri = URI.create(url);
            target = Target.of(uri.getHost().replace("[", "").replace("]", ""), uri.getPort() > 0 ? uri.getPort() : 80);
        } catch (IllegalArgumentException | NullPointerException | Refusal e) {
            respond(out, 400, "bad request target " + url, null);
            return;
        }
        TcpChannel channel = open(out, method, target);
        if (channel == null) {
            return;
        }
        StringBuilder request = new StringBuilder();
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        request.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        for (String[] h : head.headers()) {
            if (!HOP_BY_HOP.contains(h[0].toLowerCase(Locale.ROOT))) {
                request.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
        }
        // One request per connection: the target's close then ends the exchange cleanly for the client too.
        request.append("Connection: close\r\n\r\n");
        channel.outputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        Pipe.run(in, socket, channel);
        proxy.release(channel);
    }

    /** Opens the flow and waits for the relay's answer; on failure answers the client and returns null. */
    private TcpChannel open(OutputStream out, String what, Target target) throws IOException {
        try {
            TcpChannel channel = proxy.track(proxy.client().connectTcp(target.host(), target.port()));
            channel.awaitEstablished();
            proxy.log("http " + what + " " + target + " -> " + channel.route());
            return channel;
        } catch (IOException | IllegalArgumentException e) {
            proxy.log("http " + what + " " + target + " failed: " + e.getMessage());
            int status;
            if (e instanceof TunnelRefusedException) {
                status = 403;
            } else if (e instanceof RelayTimeoutException || e instanceof SocketTimeoutException) {
                status = 504;
            } else if (e instanceof RelayException r && r.status() >= 500 && !(e instanceof AuthenticationException)) {
                status = r.status();
            } else {
                status = 502; // relay unreachable or untrusted, our credentials refused: a gateway problem for the client
            }
            String relayStatus = e instanceof RelayException r ? r.response().map(h -> h.getOrNull("proxy-status")).orElse(null) : null;
            respond(out, status, e.getMessage(), relayStatus);
            return null;
        }
    }

    private static void respond(OutputStream out, int status, String message, String relayProxyStatus) throws IOException {
        String reason = switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
        // Proxy-Status details are an sf-string: printable ASCII only.
        String details = message == null ? "" : message.replaceAll("[^\\x20-\\x7e]", "?");
        String proxyStatus = new ProxyStatus("relay-client", status == 400 ? "http_request_error" : status == 504
                ? "connection_timeout" : "proxy_internal_response", details, Map.of()).toHeaderValue();
        if (relayProxyStatus != null) {
            proxyStatus = relayProxyStatus + ", " + proxyStatus; // the relay (nearer the target) first (RFC 9209 §2)
        }
        byte[] body = (details + "\n").getBytes(StandardCharsets.UTF_8);
        String response = "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Proxy-Status: " + proxyStatus + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }
}
