package org.masquerelay.server;

import org.masquerelay.engine.ServerStream;
import org.masquerelay.wire.HttpFields;

/**
 * Plain requests. Apple's client may ask {@code GET /.well-known/pvd} (RFC 8801 provisioning domain information)
 * before using the relay: a prompt, small answer keeps it from waiting. Everything else is 404: a relay serves
 * no content.
 */
final class WellKnown {
    static final String PVD_PATH = "/.well-known/pvd";

    private WellKnown() {}

    static void answer(ServerStream stream, HttpFields request) {
        String method = request.getOrNull(":method");
        String path = request.getOrNull(":path");
        if (("GET".equals(method) || "HEAD".equals(method)) && path != null && path.equals(PVD_PATH)) {
            String body = "{\"identifier\":\"" + jsonSafe(request.getOrNull(":authority")) + "\",\"expires\":\"2099-01-01T00:00:00Z\"}\n";
            HttpFields headers = HttpFields.builder()
                    .add(":status", "200")
                    .add("content-type", "application/pvd+json")
                    .add("content-length", Integer.toString(body.length()))
                    .add("cache-control", "max-age=3600")
                    .build();
            Responses.plain(stream, headers, "HEAD".equals(method) ? "" : body);
            return;
        }
        String body = "not found: this is a MASQUE relay (CONNECT, connect-udp)\n";
        Responses.plain(stream, HttpFields.builder()
                .add(":status", "404")
                .add("content-type", "text/plain; charset=utf-8")
                .add("content-length", Integer.toString(body.length()))
                .build(), body);
    }

    private static String jsonSafe(String authority) {
        if (authority == null) {
            return "relay";
        }
        String host = authority.replaceAll("[^A-Za-z0-9.\\-:\\[\\]]", "");
        int colon = host.lastIndexOf(':');
        return colon > 0 && !host.endsWith("]") ? host.substring(0, colon) : host;
    }
}
