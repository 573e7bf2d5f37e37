package org.masquerelay.policy;

import java.util.Locale;

/** Canonical form of a DNS name for comparisons: lower case, no trailing dot. */
final class HostName {

    private HostName() {
    }

    /** Lower-cases and drops one trailing dot ("Example.COM." becomes "example.com"); brackets around IPv6 go too. */
    static String canonical(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /**
     * True for names made of dot-separated labels of letters, digits, '-' and '_' (underscores appear in real service
     * names), each 1..63 characters, 253 in all.
     */
    static boolean isValid(String canonical) {
        if (canonical.isEmpty() || canonical.length() > 253) {
            return false;
        }
        for (String label : canonical.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
