package org.masquerelay.tools.profile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The OS 27 declarative configuration {@code com.apple.configuration.network.relay} (Apple's schema
 * {@code declarative/declarations/configurations/network.relay.yaml} in apple/device-management), as the JSON an MDM
 * server sends. Key names are the schema's; the root certificate is not part of it (declarative management installs
 * it from a separate certificate asset), so a private CA still needs the .mobileconfig or such an asset.
 *
 * @param visibleName     VisibleName, shown on the device
 * @param hops            Relays: one or two hops, in chain order
 * @param matchDomains    MatchDomains
 * @param excludedDomains ExcludedDomains
 * @param matchFqdns      MatchFQDNs
 * @param excludedFqdns   ExcludedFQDNs
 * @param identifier      the stable base from which the declaration's Identifier and RelayUUID are derived
 */
public record RelayDeclaration(String visibleName, List<Hop> hops, List<String> matchDomains, List<String> excludedDomains,
                               List<String> matchFqdns, List<String> excludedFqdns, String identifier) {

    public static final String TYPE = "com.apple.configuration.network.relay";

    /**
     * One entry of Relays.
     *
     * @param http3Url HTTP3RelayURL
     * @param http2Url HTTP2RelayURL, or null when the relay has no TCP listener
     * @param headers  AdditionalHTTPHeaderFields (e.g. the relay's credential)
     */
    public record Hop(String http3Url, String http2Url, Map<String, String> headers) {
    }

    public RelayDeclaration {
        hops = List.copyOf(hops);
        if (hops.isEmpty() || hops.size() > 2) {
            throw new IllegalArgumentException("Apple's client chains one or two relays, not " + hops.size());
        }
    }

    public String toJson() {
        StringBuilder payload = new StringBuilder();
        payload.append("    \"VisibleName\": ").append(string(visibleName)).append(",\n");
        payload.append("    \"Relays\": [\n");
        for (int i = 0; i < hops.size(); i++) {
            Hop hop = hops.get(i);
            List<String> fields = new ArrayList<>();
            fields.add("\"HTTP3RelayURL\": " + string(hop.http3Url()));
            if (hop.http2Url() != null) {
                fields.add("\"HTTP2RelayURL\": " + string(hop.http2Url()));
            }
            if (!hop.headers().isEmpty()) {
                List<String> headers = new ArrayList<>();
                hop.headers().forEach((k, v) -> headers.add("          " + string(k) + ": " + string(v)));
                fields.add("\"AdditionalHTTPHeaderFields\": {\n" + String.join(",\n", headers) + "\n        }");
            }
            payload.append("      {\n        ").append(String.join(",\n        ", fields)).append("\n      }")
                    .append(i + 1 < hops.size() ? ",\n" : "\n");
        }
        payload.append("    ]");
        array(payload, "MatchDomains", matchDomains);
        array(payload, "ExcludedDomains", excludedDomains);
        array(payload, "MatchFQDNs", matchFqdns);
        array(payload, "ExcludedFQDNs", excludedFqdns);
        payload.append(",\n    \"RelayUUID\": ").append(string(uuid("relay-uuid")));
        String body = payload.toString();
        // ServerToken must change whenever the payload does, so that the device applies an updated declaration.
        String token = UUID.nameUUIDFromBytes(body.getBytes(StandardCharsets.UTF_8)).toString().toUpperCase();
        return "{\n  \"Type\": " + string(TYPE) + ",\n  \"Identifier\": " + string(uuid("declaration"))
                + ",\n  \"ServerToken\": " + string(token) + ",\n  \"Payload\": {\n" + body + "\n  }\n}\n";
    }

    private static void array(StringBuilder x, String name, List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        x.append(",\n    ").append(string(name)).append(": [")
                .append(String.join(", ", values.stream().map(RelayDeclaration::string).toList())).append("]");
    }

    /** Stable per identifier and role, so re-generating updates the declaration instead of adding one. */
    private String uuid(String role) {
        return UUID.nameUUIDFromBytes((identifier + "/" + role).getBytes(StandardCharsets.UTF_8)).toString().toUpperCase();
    }

    /** A JSON string literal (RFC 8259 §7). */
    static String string(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
