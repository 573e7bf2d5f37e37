package org.masquerelay.wire;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Parses IPv4 and IPv6 address literals without ever touching DNS: the one IP-literal parser of the project, for
 * CONNECT targets ({@link Target}), policy rules, certificates and listen addresses alike.
 *
 * <p>{@code InetAddress.getByName} falls back to a DNS lookup for anything it cannot parse (so "10.0.0.256" would be
 * resolved as a name) and turns {@code ::ffff:a.b.c.d} into an IPv4 address; policy code needs neither surprise.
 * Only ASCII digits count: {@code Character.digit} alone would read other scripts' digits as hex.
 */
public final class IpLiteral {
    /** The longest IPv6 text form: eight groups, or six and a dotted quad ("ffff:...:ffff:255.255.255.255"). */
    private static final int MAX_IPV6_LENGTH = 45;

    private IpLiteral() {
    }

    /** True if {@code text} is an IPv4 literal, or an IPv6 literal with or without brackets. */
    public static boolean isLiteral(String text) {
        return parse(text) != null;
    }

    /**
     * The address bytes (4 for IPv4, 16 for IPv6) of a literal, brackets allowed around IPv6; null if it is not one.
     * Zone ids ({@code fe80::1%eth0}) are refused: a relay destination never names a local interface.
     */
    public static byte[] parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String s = text;
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.indexOf(':') >= 0) {
            return parseV6(s);
        }
        return s.equals(text) ? parseV4(s) : null;
    }

    /** Like {@link #parse} but returns an {@link InetAddress} that keeps the family of the text (16 bytes stay IPv6). */
    public static InetAddress toInetAddress(String text) {
        byte[] bytes = parse(text);
        return bytes == null ? null : toInetAddress(bytes);
    }

    /** Builds an address from raw bytes; IPv6 stays IPv6 even when it is IPv4-mapped. */
    public static InetAddress toInetAddress(byte[] bytes) {
        try {
            if (bytes.length == 16) {
                return Inet6Address.getByAddress(null, bytes, -1);
            }
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + bytes.length, e);
        }
    }

    /** Text form of raw address bytes: dotted quad, or RFC 5952 compressed IPv6. */
    public static String format(byte[] bytes) {
        if (bytes.length == 4) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // RFC 5952: compress the longest run (first one on ties) of two or more zero groups.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /**
     * Strict dotted-quad IPv4 (RFC 3986 §3.2.2 IPv4address): four decimal parts 0..255 without leading zeros, since
     * "010.0.0.1" means 8.0.0.1 to some parsers and 10.0.0.1 to others. Null if not one.
     */
    static byte[] parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            // Leading zeros are refused: some resolvers read "010" as octal 8, so it is ambiguous.
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < p.length(); k++) {
                char c = p.charAt(k);
                if (c < '0' || c > '9') {
                    return null;
                }
                v = v * 10 + (c - '0');
            }
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /**
     * IPv6 text form without brackets (RFC 4291 §2.2): up to eight groups of 1-4 hex digits, one "::" at most,
     * optionally ending in a dotted-quad IPv4 address. Zone identifiers ("%eth0") are refused: they mean nothing to a
     * remote relay. Null if not one.
     */
    static byte[] parseV6(String s) {
        if (s.isEmpty() || s.length() > MAX_IPV6_LENGTH || s.indexOf('%') >= 0) {
            return null;
        }
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return null;
        }
        String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
        String tail = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
        // A dotted quad may only end the address, so the part before "::" never holds one.
        int[] headGroups = groups(head, doubleColon < 0);
        int[] tailGroups = doubleColon >= 0 ? groups(tail, true) : new int[0];
        if (headGroups == null || tailGroups == null) {
            return null;
        }
        int total = headGroups.length + tailGroups.length;
        if (doubleColon >= 0 ? total > 7 : total != 8) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < headGroups.length; i++) {
            out[2 * i] = (byte) (headGroups[i] >> 8);
            out[2 * i + 1] = (byte) headGroups[i];
        }
        int offset = 8 - tailGroups.length;
        for (int i = 0; i < tailGroups.length; i++) {
            out[2 * (offset + i)] = (byte) (tailGroups[i] >> 8);
            out[2 * (offset + i) + 1] = (byte) tailGroups[i];
        }
        return out;
    }

    /** Colon-separated 16-bit groups; the last one may be a dotted quad (counts as two groups) if it ends the address. */
    private static int[] groups(String part, boolean mayEndWithV4) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] pieces = part.split(":", -1);
        int[] out = new int[pieces.length + 1];
        int n = 0;
        for (int i = 0; i < pieces.length; i++) {
            String p = pieces[i];
            if (i == pieces.length - 1 && mayEndWithV4 && p.indexOf('.') >= 0) {
                byte[] v4 = parseV4(p);
                if (v4 == null) {
                    return null;
                }
                out[n++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[n++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < p.length(); k++) {
                char c = p.charAt(k);
                int d = c < 0x80 ? Character.digit(c, 16) : -1;
                if (d < 0) {
                    return null;
                }
                v = (v << 4) | d;
            }
            out[n++] = v;
        }
        return Arrays.copyOf(out, n);
    }
}
