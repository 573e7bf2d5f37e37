package org.masquerelay.wire;

/**
 * Parses IP address literals by hand, so nothing ever reaches a resolver ({@code InetAddress.getByName} would
 * query DNS for anything that is not a literal).
 */
final class IpLiterals {
    private IpLiterals() {}

    /**
     * Strict dotted-quad IPv4 (RFC 3986 §3.2.2 IPv4address): four decimal parts 0..255 without leading zeros, since
     * "010.0.0.1" means 8.0.0.1 to some parsers and 10.0.0.1 to others. Null if not one.
     */
    static byte[] parseIpv4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int i = 0;
        int n = s.length();
        while (true) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return null;
            }
            out[part++] = (byte) value;
            if (part == 4) {
                return i == n ? out : null;
            }
            if (i >= n || s.charAt(i) != '.') {
                return null;
            }
            i++;
        }
    }

    /**
     * IPv6 text form (RFC 4291 §2.2): up to eight groups of 1-4 hex digits, one "::" at most, optionally ending in
     * a dotted-quad IPv4 address. Zone identifiers ("%eth0") are refused: they mean nothing to a remote relay. Null
     * if not one.
     */
    static byte[] parseIpv6(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return null;
        }
        byte[] out = new byte[16];
        if (doubleColon < 0) {
            return parseGroups(s, out, 16, true) == 16 ? out : null;
        }
        String head = s.substring(0, doubleColon);
        String tail = s.substring(doubleColon + 2);
        byte[] headBytes = new byte[16];
        byte[] tailBytes = new byte[16];
        int headLength = head.isEmpty() ? 0 : parseGroups(head, headBytes, 14, false);
        int tailLength = tail.isEmpty() ? 0 : parseGroups(tail, tailBytes, 14, true);
        // "::" stands for at least one group of zeros.
        if (headLength < 0 || tailLength < 0 || headLength + tailLength > 14) {
            return null;
        }
        System.arraycopy(headBytes, 0, out, 0, headLength);
        System.arraycopy(tailBytes, 0, out, 16 - tailLength, tailLength);
        return out;
    }

    /** Parses "g:g:...[:a.b.c.d]" into out; returns the number of bytes written, or -1. */
    private static int parseGroups(String s, byte[] out, int maxBytes, boolean ipv4Allowed) {
        int pos = 0;
        String[] groups = s.split(":", -1);
        for (int g = 0; g < groups.length; g++) {
            String group = groups[g];
            if (ipv4Allowed && g == groups.length - 1 && group.indexOf('.') >= 0) {
                byte[] v4 = parseIpv4(group);
                if (v4 == null || pos + 4 > maxBytes) {
                    return -1;
                }
                System.arraycopy(v4, 0, out, pos, 4);
                return pos + 4;
            }
            if (group.isEmpty() || group.length() > 4 || pos + 2 > maxBytes) {
                return -1;
            }
            int value = 0;
            for (int i = 0; i < group.length(); i++) {
                int d = Character.digit(group.charAt(i), 16);
                if (d < 0 || group.charAt(i) > 'f') { // Character.digit accepts non-ASCII digits
                    return -1;
                }
                value = value * 16 + d;
            }
            out[pos++] = (byte) (value >>> 8);
            out[pos++] = (byte) value;
        }
        return pos;
    }
}
