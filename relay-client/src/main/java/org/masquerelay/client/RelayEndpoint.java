package org.masquerelay.client;

import org.masquerelay.wire.ConnectUdpTemplate;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One relay as configured: {@code https://host:port/} (connect-udp then uses the RFC 9298 default template, as
 * Apple's client does whatever the URL path) or an absolute connect-udp URI template
 * ({@code https://host:port/masque/{target_host}/{target_port}/}).
 *
 * @param host      host name or IP literal, without brackets (also the TLS server name)
 * @param port      UDP port
 * @param authority the :authority of every request (host:port, IPv6 in brackets)
 * @param template  where connect-udp requests go
 */
public record RelayEndpoint(String host, int port, String authority, ConnectUdpTemplate template) {

    /** @throws IllegalArgumentException saying what is wrong with the URL */
    public static RelayEndpoint parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("relay URL is empty; expected https://host:port/");
        }
        if (!url.toLowerCase(Locale.ROOT).startsWith("https://")) {
            throw new IllegalArgumentException("relay URL '" + url + "' must start with https:// (HTTP/3 runs over TLS)");
        }
        boolean isTemplate = url.indexOf('{') >= 0;
        ConnectUdpTemplate template = isTemplate ? ConnectUdpTemplate.parse(url) : ConnectUdpTemplate.defaultTemplate();
        String authorityText = isTemplate ? template.authority() : authorityOf(url);
        URI uri;
        try {
            uri = new URI("https://" + authorityText + "/");
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("relay URL '" + url + "' has an invalid host or port: " + e.getMessage());
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("relay URL '" + url + "' has no host");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() < 0 ? 443 : uri.getPort();
        String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        return new RelayEndpoint(host, port, authority, template);
    }

    private static String authorityOf(String url) {
        int start = "https://".length();
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return url.substring(start, end);
    }

    /** The :path of a connect-udp request for this target (percent-encoded per RFC 9298 §2). */
    public String udpPath(String targetHost, int targetPort) {
        String expanded = template.expand(targetHost, targetPort);
        if (expanded.startsWith("/")) {
            return expanded;
        }
        // An absolute template expands to a full URI: the :path is what follows the authority.
        int afterScheme = expanded.indexOf("://") + 3;
        return expanded.substring(expanded.indexOf('/', afterScheme));
    }

    @Override
    public String toString() {
        return "https://" + authority + "/";
    }
}
