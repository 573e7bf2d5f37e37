package org.masquerelay.server.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.masquerelay.wire.IpLiteral;

/**
 * One UDP (and, for the HTTP/2 fallback, TCP) address to listen on.
 *
 * @param host an IP literal ({@code 0.0.0.0}, {@code ::}) or a host name resolved when binding
 * @param port 0..65535; 0 picks a free port (handy in tests)
 */
public record ListenAddress(String host, int port) {

    public ListenAddress {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
    }

    /**
     * Parses {@code host:port}; IPv6 needs brackets ({@code [::]:443}) because its colons would be ambiguous.
     *
     * @param keyPath named in the error, e.g. {@code listen[1]} or {@code --listen}
     */
    public static ListenAddress parse(String keyPath, String text) {
        String t = text == null ? "" : text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException(keyPath, "'" + text + "' is not host:port (e.g. 0.0.0.0:443 or [::]:443)");
        }
        String host = t.substring(0, colon);
        String portText = t.substring(colon + 1);
        if (host.startsWith("[") != host.endsWith("]")) {
            throw new ConfigException(keyPath, "'" + text + "' has an unbalanced '[' ']' around the IPv6 address");
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
            if (IpLiteral.parse(host) == null || IpLiteral.parse(host).length != 16) {
                throw new ConfigException(keyPath, "'" + text + "': " + host + " is not an IPv6 address");
            }
        } else if (host.contains(":")) {
            throw new ConfigException(keyPath, "'" + text + "': put an IPv6 address in brackets, e.g. [::]:443");
        } else if (!host.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigException(keyPath, "'" + text + "': '" + host + "' is not an IP address or host name");
        }
        if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) > 65535) {
            throw new ConfigException(keyPath, "'" + text + "': port must be a number 0..65535, got '" + portText
                    + "'");
        }
        return new ListenAddress(host, Integer.parseInt(portText));
    }

    /** The socket address to bind; IP literals are used as they are, without any DNS lookup. */
    public InetSocketAddress socketAddress() {
        InetAddress literal = IpLiteral.toInetAddress(host);
        return literal != null ? new InetSocketAddress(literal, port) : new InetSocketAddress(host, port);
    }

    /** {@code 0.0.0.0:443} or {@code [::]:443}, as written in the file. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
