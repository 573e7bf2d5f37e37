package org.masquerelay.client.proxy;

import org.masquerelay.client.AuthenticationException;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTimeoutException;
import org.masquerelay.client.TcpChannel;
import org.masquerelay.client.TunnelRefusedException;
import org.masquerelay.client.internal.Http1;
import org.masquerelay.wire.ProxyStatus;
import org.masquerelay.wire.Target;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One HTTP proxy client connection: {@code CONNECT host:port} becomes a tunnel; an absolute-form
 * {@code GET http://host/...} is forwarded as one request (Connection: close) over a tunnel. Failures are answered
 * with a status and a Proxy-Status field (the relay's own when it gave one), never a dropped connection.
 */
final class HttpProxySession {
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
            HttpProxyRequest request;
            try {
                request = HttpProxyRequest.parse(head);
            } catch (HttpProxyRequest.Refused e) {
                respond(out, 400, e.getMessage(), null);
                return;
            }
            TcpChannel channel = open(out, request.method(), request.target());
            if (channel == null) {
                return;
            }
            if (request.isConnect()) {
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } else {
                channel.outputStream().write(request.forwardHead());
            }
            Pipe.run(in, socket, channel);
            proxy.release(channel);
        } catch (IOException e) {
            // the client went away: its socket is closed by the caller
        }
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
