package org.masquerelay.server;

import org.masquerelay.engine.ServerStream;
import org.masquerelay.server.metrics.ConnectionMetrics;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.ProxyStatus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The responses the relay sends: tunnel established, errors with Proxy-Status (RFC 9209), small plain bodies. */
final class Responses {
    private Responses() {}

    /** 2xx for classic CONNECT: no body follows other than the tunnel bytes (RFC 9114 §4.4). */
    static void tunnelEstablished(ServerStream stream) throws IOException {
        stream.respond(HttpFields.builder().add(":status", "200").build());
    }

    /** 2xx for connect-udp, with the capsule protocol (RFC 9298 §3.5, RFC 9297 §3.4). */
    static void udpTunnelEstablished(ServerStream stream) throws IOException {
        stream.respond(HttpFields.builder().add(":status", "200").add("capsule-protocol", "?1").build());
    }

    /**
     * An error answer: status, Proxy-Status with the error token and details, a one-line text body, FIN. The
     * stream stays a clean HTTP exchange, so Apple's client maps it to an errno (61/64/65) rather than 53.
     */
    static void error(ServerStream stream, String proxyName, int status, String proxyError, String details, HttpFields.Field extra) {
        // Every refusal passes here, whoever refused (auth, policy, limits, the target): counted by its Proxy-Status.
        ConnectionMetrics.of(stream.connection()).refused(status, proxyError);
        HttpFields.Builder headers = HttpFields.builder()
                .add(":status", Integer.toString(status))
                .add("proxy-status", new ProxyStatus(proxyName, proxyError, details, java.util.Map.of()).toHeaderValue())
                .add("content-type", "text/plain; charset=utf-8");
        if (extra != null) {
            headers.add(extra.name(), extra.value());
        }
        plain(stream, headers.build(), details + "\n");
    }

    static void plain(ServerStream stream, HttpFields headers, String body) {
        try {
            stream.respondAndFinish(headers, body.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            stream.reset(H3.H3_INTERNAL_ERROR);
            return;
        }
        RequestDrain.drain(stream);
    }
}
