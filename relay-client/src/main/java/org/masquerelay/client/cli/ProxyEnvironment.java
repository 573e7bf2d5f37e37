package org.masquerelay.client.cli;

import org.masquerelay.client.NoProxy;

import java.util.Map;
import java.util.Optional;

/**
 * The relay from the environment when {@code -x} is not given, by curl's rules: {@code https_proxy} /
 * {@code HTTPS_PROXY} for https:// URLs, {@code http_proxy} (lower case only, as curl: CGI scripts get an
 * HTTP_PROXY from the request's Proxy header) for http:// URLs, then {@code all_proxy} / {@code ALL_PROXY} for
 * either; and {@code no_proxy} / {@code NO_PROXY}, the hosts reached directly.
 */
final class ProxyEnvironment {
    /** A relay URL and the variable it came from (for messages). */
    record Relay(String url, String variable) {}

    private final Map<String, String> env;

    ProxyEnvironment(Map<String, String> env) {
        this.env = env;
    }

    static ProxyEnvironment system() {
        return new ProxyEnvironment(System.getenv());
    }

    /** The relay for a URL scheme ("http" or "https"); for the local proxy (any scheme) pass "https". */
    Optional<Relay> relayFor(String scheme) {
        String[] names = scheme.equals("http")
                ? new String[] {"http_proxy", "all_proxy", "ALL_PROXY"}
                : new String[] {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(new Relay(value.trim(), name));
            }
        }
        return Optional.empty();
    }

    /** The hosts never relayed: --noproxy when given, else no_proxy / NO_PROXY. */
    NoProxy noProxy(String option) {
        if (option != null) {
            return NoProxy.parse(option);
        }
        String value = env.get("no_proxy");
        return NoProxy.parse(value != null ? value : env.get("NO_PROXY"));
    }
}
