package org.masquerelay.interop.variants;

import org.masquerelay.wire.H3;

import java.io.IOException;
import java.io.InputStream;

/** What each {@link MiniH3Server} variant does with a request: a correct echo "relay", with one fault or none. */
final class Behaviours {
    static final String DEFAULT_UDP_PREFIX = "/.well-known/masque/udp/";
    static final String CUSTOM_UDP_PREFIX = "/masque/udp/";

    private Behaviours() {
    }

    static MiniH3Server.Behaviour forVariant(FaultyRelay variant) {
        return request -> {
            if (request.isClassicConnect()) {
                switch (variant) {
                    case RESET_CONNECT -> request.reset(H3.H3_REQUEST_REJECTED);
                    case FIN_AFTER_200 -> {
                        request.respond("200");
                        request.finish();
                    }
                    case REJECTS_OPTIMISTIC_DATA -> rejectEarlyData(request);
                    default -> {
                        request.respond("200");
                        request.echo();
                    }
                }
            } else if (request.isConnectUdp()) {
                connectUdp(variant, request);
            } else {
                request.respond("404");
                request.finish();
            }
        };
    }

    /**
     * The mistake: the server reads the stream before answering and treats any DATA as a protocol error. Apple's
     * client always sends optimistic data on a TCP flow, so the first DATA is there before any 2xx could be.
     */
    private static void rejectEarlyData(MiniH3Server.Request request) throws IOException {
        InputStream in = request.body();
        if (in.read() >= 0) {
            request.reset(H3.H3_MESSAGE_ERROR);
            return;
        }
        request.respond("200");
        request.finish();
    }

    private static void connectUdp(FaultyRelay variant, MiniH3Server.Request request) throws IOException {
        String path = String.valueOf(request.path());
        boolean customOnly = variant == FaultyRelay.CUSTOM_TEMPLATE_404 || variant == FaultyRelay.CUSTOM_TEMPLATE_RESET;
        boolean served = customOnly ? path.startsWith(CUSTOM_UDP_PREFIX) : path.startsWith(DEFAULT_UDP_PREFIX);
        if (!served) {
            if (variant == FaultyRelay.CUSTOM_TEMPLATE_RESET) {
                request.reset(H3.H3_REQUEST_REJECTED);
            } else {
                request.respond("404");
                request.finish();
            }
            return;
        }
        request.respond("200", "capsule-protocol", "?1");
        // Datagrams are echoed by the connection; the stream stays open until the client ends it.
        request.body().transferTo(java.io.OutputStream.nullOutputStream());
        request.finish();
    }
}
