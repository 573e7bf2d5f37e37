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

    /** @throws IllegalArgumentException naming a header line that is not "Name: value" */
    public FetchRequest {
        headers = List.copyOf(headers);
        headers.forEach(FetchRequest::checkHeaderLine);
    }

    /**
     * A header line as curl's -H takes it: a token name, a colon, a value without CR or LF (which would end the line
     * and let the value smuggle further headers into an HTTP/1.1 request).
     *
     * @throws IllegalArgumentException naming the line and what is wrong with it
     */
    public static void checkHeaderLine(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("-H '" + line + "' is not 'Name: value'");
        }
        for (int i = 0; i < colon; i++) {
            char c = line.charAt(i);
            if (c <= ' ' || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                throw new IllegalArgumentException("-H '" + line + "': '" + line.substring(0, colon)
                        + "' is not a header name");
            }
        }
        if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("-H: a header value cannot contain a line break");
        }
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
