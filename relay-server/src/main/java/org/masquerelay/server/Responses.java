package org.masquerelay.server;

import org.masquerelay.engine.ServerStream;
import org.masquerelay.server.metrics.ConnectionMetrics;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.Refusal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The responses the relay sends that end a request: refusals with Proxy-Status (RFC 9209), small plain bodies. */
final class Responses {
    private Responses() {}

    /**
     * A refusal: its status, Proxy-Status with the error type and details, a one-line text body, FIN. The stream
     * stays a clean HTTP exchange, so Apple's client maps it to an errno (61/64/65) rather than 53.
     */
    static void refuse(ServerStream stream, String proxyName, Refusal refusal) {
        // Every refusal passes here, whoever refused (auth, policy, limits, the target): counted by its Proxy-Status.
        ConnectionMetrics.of(stream.connection()).refused(refusal.httpStatus(), refusal.proxyError().token());
        plain(stream, refusal.responseHeaders(proxyName), refusal.body());
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
