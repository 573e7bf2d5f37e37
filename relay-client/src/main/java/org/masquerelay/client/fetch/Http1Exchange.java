package org.masquerelay.client.fetch;

import org.masquerelay.client.RelayException;
import org.masquerelay.client.TcpChannel;
import org.masquerelay.client.TcpTunnel;
import org.masquerelay.client.internal.ChannelSocket;
import org.masquerelay.client.internal.Http1;

import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP/1.1 exchange over a TCP flow — a classic CONNECT tunnel or a direct socket — with TLS to the target for
 * https, the way curl talks to a server through a proxy. The request goes before the relay's 200 (optimistic data, as
 * Apple's client sends it); every failure is typed: the relay's refusal first, else the target's
 * {@link TargetException}.
 */
public final class Http1Exchange {
    private final TcpChannel channel;
    private final TcpTunnel tunnel;
    private final FetchRequest request;
    private final FetchListener listener;
    private boolean tunnelReported;

    private Http1Exchange(TcpChannel channel, FetchRequest request, FetchListener listener) {
        this.channel = channel;
        this.tunnel = channel instanceof TcpTunnel t ? t : null;
        this.request = request;
        this.listener = listener;
    }

    /**
     * Sends the request on {@code channel} and reads the response head; the body is then read from the response,
     * whose close ends the flow.
     */
    public static FetchResponse send(TcpChannel channel, FetchRequest request, TargetTls tls, FetchListener listener) throws IOException {
        return new Http1Exchange(channel, request, listener).run(tls);
    }

    private FetchResponse run(TargetTls tls) throws IOException {
        String host = request.host();
        int port = request.port();
        if (tunnel != null) {
            listener.tunnelRequested(tunnel.requestHeaders());
        }
        Socket socket = new ChannelSocket(channel, InetSocketAddress.createUnresolved(host, port));
        try {
            if (request.tls()) {
                SSLSocket ssl = tls.handshake(socket, host, port, tunnel);
                socket = ssl;
                awaitTunnel();
                listener.tlsEstablished(host, ssl.getSession());
            }
            OutputStream out = socket.getOutputStream();
            String head = head();
            // Over plain HTTP these bytes go before the relay's 200: optimistic data, as Apple's client does.
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (request.body() != null) {
                out.write(request.body());
            }
            out.flush();
            listener.requestSent(head.strip().lines().toList());
            awaitTunnel();
            InputStream in = new BufferedInputStream(ResponseBody.observed(socket.getInputStream(), listener));
            Http1.Head response;
            int status;
            try {
                response = Http1.readHead(in);
                if (response == null) {
                    throw TargetException.emptyReply("the target closed the connection without an HTTP response");
                }
                status = Integer.parseInt(response.startLine().split(" ", 3)[1]);
            } catch (IOException | RuntimeException e) {
                throw targetFailure(tunnel, e, "no valid HTTP response from " + host + ":" + port);
            }
            List<String> lines = new ArrayList<>();
            lines.add(response.startLine());
            response.headers().forEach(h -> lines.add(h[0] + ": " + h[1]));
            listener.responseReceived(lines);
            InputStream body = ResponseBody.typed(Http1.responseBody(in, request.method(), status, response), (e, received) ->
                    targetFailure(tunnel, e, "the response body from the target broke off after " + received + " bytes"));
            FetchResponse result = new FetchResponse(status, lines, FetchResponse.contentLength(response.header("content-length")),
                    body, socket);
            socket = null;
            return result;
        } finally {
            if (socket != null) {
                socket.close();
            }
        }
    }

    /** The request head: as curl writes it, with the caller's header lines as given. */
    private String head() {
        StringBuilder head = new StringBuilder();
        head.append(request.method()).append(' ').append(request.path()).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(request.authority()).append("\r\n");
        for (String h : request.headers()) {
            head.append(h).append("\r\n");
        }
        if (!request.hasHeader("user-agent")) {
            head.append("User-Agent: ").append(FetchRequest.USER_AGENT).append("\r\n");
        }
        head.append("Accept: */*\r\nConnection: close\r\n");
        if (request.body() != null) {
            head.append("Content-Length: ").append(request.body().length).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    /** Waits for the relay's 2xx (throwing its typed refusal) and reports it once. */
    private void awaitTunnel() throws IOException {
        if (tunnel != null && !tunnelReported) {
            listener.tunnelEstablished(tunnel.awaitResponse(), tunnel.answeredAtNanos());
            tunnelReported = true;
        }
    }

    /** Why the exchange failed: the relay's refusal or loss of the tunnel when there was one, else the target's fault. */
    static IOException targetFailure(TcpTunnel tunnel, Exception e, String what) {
        if (tunnel != null && tunnel.failure().isPresent()) {
            return tunnel.failure().get();
        }
        if (e instanceof RelayException re) {
            return re;
        }
        if (e instanceof TargetException already) {
            return already; // e.g. an empty reply (curl 52) stays one
        }
        return TargetException.receive(what + ": " + TargetTls.innermost(e), e);
    }
}
