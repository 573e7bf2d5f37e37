package org.masquerelay.tools.profile;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * A configuration profile (.mobileconfig, an XML property list) that sets a Mac or iPhone up for the relay in one
 * file: a {@code com.apple.relay.managed} payload (relay URLs, extra headers such as the credential, match/excluded
 * domains and FQDNs) and, for a private CA, a {@code com.apple.security.root} payload with the root certificate.
 * Unsigned: the device shows it as unverified, which is normal for a self-made profile.
 *
 * @param hops           Relays: one or two hops (HTTP3RelayURL, HTTP2RelayURL when the relay listens on TCP too,
 *                       AdditionalHTTPHeaderFields such as the relay's credential)
 * @param matchDomains   domains (and subdomains) sent through the relay; empty = everything
 * @param excludedDomains domains never relayed
 * @param matchFqdns     exact names sent through the relay
 * @param excludedFqdns  exact names never relayed
 * @param root           the private root to install, or null under a public CA
 */
public record MobileConfig(List<RelayDeclaration.Hop> hops, List<String> matchDomains,
                           List<String> excludedDomains, List<String> matchFqdns, List<String> excludedFqdns,
                           X509Certificate root, String identifier) {

    public String toXml() {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n")
                .append("<plist version=\"1.0\">\n<dict>\n");
        x.append("  <key>PayloadContent</key>\n  <array>\n");
        String rootUuid = null;
        if (root != null) {
            rootUuid = uuid("root");
            x.append("    <dict>\n");
            key(x, 6, "PayloadType", "com.apple.security.root");
            key(x, 6, "PayloadIdentifier", identifier + ".root");
            key(x, 6, "PayloadUUID", rootUuid);
            integer(x, 6, "PayloadVersion", 1);
            key(x, 6, "PayloadDisplayName", "MASQUE relay root certificate");
            key(x, 6, "PayloadCertificateFileName", "relay-ca.cer");
            indent(x, 6).append("<key>PayloadContent</key>\n");
            indent(x, 6).append("<data>").append(base64(root)).append("</data>\n");
            x.append("    </dict>\n");
        }
        x.append("    <dict>\n");
        key(x, 6, "PayloadType", "com.apple.relay.managed");
        key(x, 6, "PayloadIdentifier", identifier + ".relay");
        key(x, 6, "PayloadUUID", uuid("relay"));
        integer(x, 6, "PayloadVersion", 1);
        key(x, 6, "PayloadDisplayName", "MASQUE relay");
        indent(x, 6).append("<key>Relays</key>\n");
        indent(x, 6).append("<array>\n");
        for (RelayDeclaration.Hop hop : hops) {
            indent(x, 8).append("<dict>\n");
            key(x, 10, "HTTP3RelayURL", hop.http3Url());
            if (hop.http2Url() != null) {
                key(x, 10, "HTTP2RelayURL", hop.http2Url());
            }
            if (!hop.headers().isEmpty()) {
                indent(x, 10).append("<key>AdditionalHTTPHeaderFields</key>\n");
                indent(x, 10).append("<dict>\n");
                hop.headers().forEach((k, v) -> key(x, 12, k, v));
                indent(x, 10).append("</dict>\n");
            }
            indent(x, 8).append("</dict>\n");
        }
        indent(x, 6).append("</array>\n");
        array(x, "MatchDomains", matchDomains);
        array(x, "ExcludedDomains", excludedDomains);
        array(x, "MatchFQDNs", matchFqdns);
        array(x, "ExcludedFQDNs", excludedFqdns);
        x.append("    </dict>\n  </array>\n");
        key(x, 2, "PayloadType", "Configuration");
        key(x, 2, "PayloadIdentifier", identifier);
        key(x, 2, "PayloadUUID", uuid("profile"));
        integer(x, 2, "PayloadVersion", 1);
        key(x, 2, "PayloadDisplayName", "MASQUE relay " + hops.get(0).http3Url());
        x.append("</dict>\n</plist>\n");
        return x.toString();
    }

    private static void array(StringBuilder x, String name, List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        indent(x, 6).append("<key>").append(esc(name)).append("</key>\n");
        indent(x, 6).append("<array>\n");
        values.forEach(v -> indent(x, 8).append("<string>").append(esc(v)).append("</string>\n"));
        indent(x, 6).append("</array>\n");
    }

    /** Stable per identifier and role, so re-generating the profile updates it on the device instead of adding one. */
    private String uuid(String role) {
        return UUID.nameUUIDFromBytes((identifier + "/" + role).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString().toUpperCase();
    }

    private static String base64(X509Certificate c) {
        try {
            return Base64.getEncoder().encodeToString(c.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode the root certificate: " + e.getMessage(), e);
        }
    }

    private static void key(StringBuilder x, int indent, String key, String value) {
        indent(x, indent).append("<key>").append(esc(key)).append("</key>\n");
        indent(x, indent).append("<string>").append(esc(value)).append("</string>\n");
    }

    private static void integer(StringBuilder x, int indent, String key, int value) {
        indent(x, indent).append("<key>").append(esc(key)).append("</key>\n");
        indent(x, indent).append("<integer>").append(value).append("</integer>\n");
    }

    private static StringBuilder indent(StringBuilder x, int n) {
        return x.append(" ".repeat(n));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
