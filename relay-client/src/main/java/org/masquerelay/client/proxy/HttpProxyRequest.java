package org.masquerelay.client.proxy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.masquerelay.client.internal.Http1;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.Target;

/**
 * What a local HTTP proxy client asked for, parsed from its request head without I/O: {@code CONNECT host:port}
 * (RFC 9110 §9.3.6), or an absolute-form request (RFC 9112 §3.2.2) to forward, already rewritten for the target.
 * Anything else is a {@link Refused} with the message of a 400.
 *
 * @param forwardHead the request head to send to the target (origin-form, hop-by-hop fields removed,
 *                    {@code Connection: close}); null for CONNECT
 */
record HttpProxyRequest(String method, Target target, byte[] forwardHead) {
    /** Hop-by-hop fields (RFC 9110 §7.6.1) and proxy credentials stay here. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "proxy-connection", "keep-alive",
            "proxy-authorization", "te", "trailer", "upgrade");

    /** A request answered with 400 and this message. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    boolean isConnect() {
        return forwardHead == null;
    }

    static HttpProxyRequest parse(Http1.Head head) throws Refused {
        String[] parts = head.startLine().split(" ", -1);
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.") || !isToken(parts[0])) {
            throw new Refused("bad request line: " + head.startLine());
        }
        for (String[] field : head.headers()) {
            checkField(field[0], field[1]);
        }
        String method = parts[0];
        if (method.equals("CONNECT")) {
            try {
                return new HttpProxyRequest(method, Target.parseAuthority(parts[1]), null);
            } catch (Refusal e) {
                throw new Refused(e.getMessage());
            }
        }
        if (!parts[1].toLowerCase(Locale.ROOT).startsWith("http://")) {
            throw new Refused("this is a proxy: send CONNECT host:port or an absolute http:// URL (https:// goes"
                    + " through CONNECT)");
        }
        URI uri;
        Target target;
        try {
            uri = URI.create(parts[1]);
            String host = uri.getHost();
            if (host == null) {
                throw new Refused("bad request target " + parts[1]);
            }
            target = Target.of(host.replace("[", "").replace("]", ""), uri.getPort() > 0 ? uri.getPort() : 80);
        } catch (IllegalArgumentException | Refusal e) {
            throw new Refused("bad request target " + parts[1]);
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
        return new HttpProxyRequest(method, target, request.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * RFC 9112 §5, RFC 9110 §5.5: a field name is a token, and a value with CR, LF or NUL is refused (a bare CR
     * survives line splitting and would be forwarded to the target: request smuggling).
     */
    private static void checkField(String name, String value) throws Refused {
        if (!isToken(name)) {
            throw new Refused("malformed header field name '" + printable(name) + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new Refused("header field '" + name + "' has a CR, LF or NUL in its value");
            }
        }
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
