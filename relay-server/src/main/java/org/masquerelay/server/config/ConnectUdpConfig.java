package org.masquerelay.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * connect-udp (RFC 9298) settings.
 *
 * @param template an extra URI template served besides {@link #DEFAULT_TEMPLATE}, or null for the default only
 */
public record ConnectUdpConfig(String template) {

    /** Apple's client always uses this path, whatever its configured URL says, so it is always served. */
    public static final String DEFAULT_TEMPLATE = "/.well-known/masque/udp/{target_host}/{target_port}/";

    public ConnectUdpConfig {
        if (template != null) {
            check(template);
        }
    }

    public static ConnectUdpConfig defaults() {
        return new ConnectUdpConfig(null);
    }

    /** RFC 9298 §3: an https URI template carrying both variables. */
    private static void check(String template) {
        String key = "connect-udp.template";
        if (!template.startsWith("https://")) {
            throw new ConfigException(key, "'" + template + "' must be an https:// URI template (RFC 9298)");
        }
        // Variables may sit in path segments or in a query expression such as {?target_host,target_port}.
        Set<String> variables = new HashSet<>();
        Matcher m = Pattern.compile("\\{[+#./;?&]?([^}]*)}").matcher(template);
        while (m.find()) {
            for (String name : m.group(1).split(",")) {
                variables.add(name.trim());
            }
        }
        for (String variable : new String[] {"target_host", "target_port"}) {
            if (!variables.contains(variable)) {
                throw new ConfigException(key, "'" + template + "' lacks the variable {" + variable + "}");
            }
        }
        try {
            URI uri = new URI(template.replaceAll("\\{[^}]*}", "x"));
            if (uri.getHost() == null) {
                throw new ConfigException(key, "'" + template + "' has no host");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "'" + template + "' is not a valid URI template: " + e.getReason());
        }
    }
}
