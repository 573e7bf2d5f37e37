package org.masquerelay.client.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A URL to fetch, read as curl reads it: without a scheme it is http:// ({@code example.com/x} means
 * {@code http://example.com/x}); the port defaults to the scheme's; an IPv6 host is in brackets.
 *
 * @param text   the URL as given (for -w %{url} and messages)
 * @param scheme "http" or "https"
 * @param host   host name or IP literal, without brackets
 * @param path   path and query, at least "/"
 */
record TargetUrl(String text, String scheme, String host, int port, String path) {

    boolean tls() {
        return scheme.equals("https");
    }

    /** @throws ExitCodes.Failure with curl's code 1 (unsupported scheme) or 3 (malformed URL) */
    static TargetUrl parse(String text) {
        String withScheme = text.contains("://") ? text : "http://" + text;
        URI uri;
        try {
            uri = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw new ExitCodes.Failure(ExitCodes.MALFORMED_URL, "malformed URL '" + text + "': " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ExitCodes.Failure(ExitCodes.OTHER, "unsupported protocol '" + scheme + "' in " + text
                    + ": only http:// and https:// URLs can be fetched");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new ExitCodes.Failure(ExitCodes.MALFORMED_URL, "malformed URL '" + text + "': no host");
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new TargetUrl(text, scheme, host, port, path);
    }
}
