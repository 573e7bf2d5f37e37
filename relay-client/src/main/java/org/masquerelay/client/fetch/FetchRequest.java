package org.masquerelay.client.fetch;

import java.util.List;
import java.util.Locale;

/**
 * One HTTP request to a target, as {@code relay-client fetch} sends it through the relay.
 *
 * @param method  GET, POST, ...
 * @param tls     https: TLS to the target inside the tunnel (HTTP/3 always has it)
 * @param host    the URL's host (Host / :authority, and the name TLS checks), without brackets
 * @param port    the URL's port
 * @param path    path and query, at least "/"
 * @param headers extra header lines "Name: value", as curl's -H takes them; a User-Agent is added unless one is given
 * @param body    the request body, or null for none
 */
public record FetchRequest(String method, boolean tls, String host, int port, String path, List<String> headers, byte[] body) {
    /** What the client sends when no User-Agent header is given. */
    public static final String USER_AGENT = "relay-client/0.1";

    public FetchRequest {
        headers = List.copyOf(headers);
    }

    /** Host and port as the Host header and :authority carry them (the port only when not the scheme's default). */
    public String authority() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == (tls ? 443 : 80) ? h : h + ":" + port;
    }

    boolean hasHeader(String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        return headers.stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix));
    }
}
