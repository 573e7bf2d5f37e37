package org.masquerelay.client.fetch;

import org.masquerelay.client.ClientEngines;
import org.masquerelay.client.RelayClient;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.UdpMode;
import org.masquerelay.client.UdpTunnel;
import org.masquerelay.engine.ClientEngine;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One HTTP/3 exchange with a target, its QUIC inside a connect-udp tunnel (curl's rule for an HTTP/3 target behind a
 * proxy) or direct when the route says so. The inner connection runs on the client's engine, or Kwik when that
 * engine cannot send through a tunnel ({@link ClientEngines#throughTunnel}).
 */
public final class Http3Exchange {
    private Http3Exchange() {}

    /**
     * @param relayed  through the relay (connect-udp), or straight to the target
     * @param toHost   where the QUIC packets go (curl's --connect-to may differ from the URL's host)
     * @param toPort         likewise
     * @param connectTimeout bound on the QUIC handshake with the target
     * @param requestTimeout how long to wait for the response head
     */
    public static FetchResponse send(RelayClient client, boolean relayed, String toHost, int toPort, FetchRequest request,
                                     TargetTls tls, Duration connectTimeout, Duration requestTimeout, FetchListener listener) throws IOException {
        String host = request.host();
        int port = request.port();
        UdpTunnel udp = null;
        DatagramSocket socket = null;
        if (relayed) {
            udp = client.openUdp(toHost, toPort, UdpMode.CAPSULES);
            listener.tunnelRequested(udp.requestHeaders());
            socket = RelayClient.datagramSocket(udp);
        }
        DatagramSocket chosen = socket;
        ClientEngineSettings settings = ClientEngineSettings.builder().relay(host, toPort)
                .insecure(tls.insecure())
                .trustManager(tls.quicTrust(host))
                .connectTimeout(connectTimeout)
                .socketSupplier(chosen == null ? null : () -> chosen)
                .build();
        ClientConnection h3;
        try {
            // The relay hop keeps its engine; this inner connection needs one that sends through a supplied socket.
            ClientEngine inner = chosen == null ? client.engine() : ClientEngines.throughTunnel(client.engine());
            h3 = inner.connect(settings);
        } catch (IOException e) {
            if (socket != null) {
                socket.close();
            }
            if (udp != null && udp.failure() != null) {
                throw udp.failure();
            }
            String m = TargetTls.innermost(e);
            if (m.toLowerCase(Locale.ROOT).contains("certificate") || m.toLowerCase(Locale.ROOT).contains("servername")) {
                throw TargetException.untrusted("TLS trust failure with the target " + host + ":" + port + " (HTTP/3): " + m, e);
            }
            throw TargetException.receive("no HTTP/3 connection with " + host + ":" + port + (udp != null ? " through the relay" : "") + ": " + m, e);
        }
        DatagramSocket tunnelSocket = socket;
        Closeable connection = () -> {
            h3.close(H3.H3_NO_ERROR, "done");
            if (tunnelSocket != null) {
                tunnelSocket.close();
            }
        };
        boolean handedOver = false;
        try {
            if (udp != null) {
                listener.tunnelEstablished(udp.awaitResponse(), udp.answeredAtNanos());
            }
            HttpFields fields = fields(request);
            listener.requestSent(lines(fields));
            ClientStream stream = h3.openRequest(fields);
            if (request.body() != null) {
                stream.bodyOut().write(request.body());
            }
            stream.finish();
            HttpFields response = stream.awaitResponse(requestTimeout);
            int status = Integer.parseInt(response.getOrNull(":status"));
            listener.responseReceived(lines(response));
            List<String> head = new ArrayList<>(List.of("HTTP/3 " + status));
            response.forEach(f -> {
                if (!f.isPseudo()) {
                    head.add(f.name() + ": " + f.value());
                }
            });
            UdpTunnel carrier = udp;
            InputStream body = ResponseBody.typed(ResponseBody.observed(stream.body(), listener), (e, received) ->
                    carrier != null && carrier.failure() != null ? carrier.failure()
                            : e instanceof TargetException || e instanceof RelayException ? e
                            : TargetException.receive("the response body from the target broke off after " + received
                            + " bytes: " + TargetTls.innermost(e), e));
            FetchResponse result = new FetchResponse(status, head, FetchResponse.contentLength(response.getOrNull("content-length")),
                    body, connection);
            handedOver = true;
            return result;
        } finally {
            if (!handedOver) {
                connection.close();
            }
        }
    }

    /** The request's header section: the caller's lines become lower-case fields (no Host or Connection in HTTP/3). */
    private static HttpFields fields(FetchRequest request) {
        HttpFields.Builder fields = HttpFields.builder()
                .add(":method", request.method())
                .add(":scheme", "https")
                .add(":authority", request.authority())
                .add(":path", request.path());
        for (String h : request.headers()) {
            int colon = h.indexOf(':');
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (!name.equals("host") && !name.equals("connection")) {
                fields.add(name, h.substring(colon + 1).trim());
            }
        }
        if (!request.hasHeader("user-agent")) {
            fields.add("user-agent", FetchRequest.USER_AGENT);
        }
        if (request.body() != null) {
            fields.add("content-length", Integer.toString(request.body().length));
        }
        return fields.build();
    }

    private static List<String> lines(HttpFields fields) {
        List<String> lines = new ArrayList<>();
        fields.forEach(f -> lines.add(f.name() + ": " + f.value()));
        return lines;
    }
}
