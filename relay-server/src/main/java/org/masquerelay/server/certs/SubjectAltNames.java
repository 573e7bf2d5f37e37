package org.masquerelay.server.certs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.GeneralName;
import org.masquerelay.wire.IpLiteral;

/**
 * Turns the hosts a relay is reached by into subjectAltName entries. Apple only looks at subjectAltName (never the
 * CN), and a URL with an IP address needs an iPAddress entry: an IP written as a DNS name does not match.
 */
final class SubjectAltNames {

    private SubjectAltNames() {
    }

    /** One entry per distinct host, in the given order. */
    static List<GeneralName> of(List<String> hosts) {
        if (hosts.isEmpty()) {
            throw new CertsException("at least one host name or IP address is needed for the certificate");
        }
        Set<String> seen = new LinkedHashSet<>();
        List<GeneralName> out = new ArrayList<>();
        for (String host : hosts) {
            String h = canonical(host);
            if (!seen.add(h)) {
                continue;
            }
            byte[] ip = IpLiteral.parse(h);
            if (ip != null) {
                out.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(ip)));
            } else {
                checkDnsName(host, h);
                out.add(new GeneralName(GeneralName.dNSName, h));
            }
        }
        return out;
    }

    /** Lower case, no trailing dot, no brackets around IPv6. */
    static String canonical(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static void checkDnsName(String original, String h) {
        String rest = h.startsWith("*.") ? h.substring(2) : h;
        boolean ok = !rest.isEmpty() && rest.length() <= 253;
        for (String label : rest.split("\\.", -1)) {
            ok &= label.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
        }
        if (!ok) {
            throw new CertsException("'" + original + "' is not a host name or IP address usable in a certificate"
                    + " (letters, digits and '-' labels; a leading '*.' for a wildcard; punycode for other scripts)");
        }
    }
}
