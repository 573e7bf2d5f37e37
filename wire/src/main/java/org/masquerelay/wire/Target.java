package org.masquerelay.wire;

import java.net.InetAddress;
import java.net.IDN;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * The destination of a tunnel: a host (DNS name, IPv4 or IPv6 literal, never with brackets) and a port.
 * Validation is purely syntactic and never touches DNS: the relay resolves names later, under its own policy.
 * Names are lower-cased (DNS names are case-insensitive, RFC 4343) and a trailing root dot is dropped, so that
 * access rules compare like with like.
 */
public record Target(String host, int port) {

    private static final int MAX_NAME_LENGTH = 253; // RFC 1035 §2.3.4 (255 octets on the wire)
    private static final int MAX_LABEL_LENGTH = 63;

    public Target {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1..65535: " + port);
        }
    }

    /**
     * Parses the :authority of a classic CONNECT request (RFC 9114 §4.4, RFC 9110 §9.3.6: "host:port", with IPv6
     * literals in brackets, RFC 3986 §3.2.2).
     *
     * @throws Refusal 400 with a message saying what is wrong
     */
    public static Target parseAuthority(String authority) throws Refusal {
        if (authority == null || authority.isEmpty()) {
            throw Refusal.badRequest("CONNECT target is empty; expected host:port");
        }
        checkCharacters(authority, "CONNECT target");
        if (authority.indexOf('@') >= 0) {
            throw Refusal.badRequest(
                    "CONNECT target '" + authority + "' contains userinfo ('@'), which is not allowed (RFC 9110 §9.3.6)");
        }
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw Refusal.badRequest("CONNECT target '" + authority + "' lacks the closing ']'");
            }
            host = authority.substring(1, close);
            String rest = authority.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw Refusal.badRequest(
                        "CONNECT target '" + authority + "' lacks a port; expected [IPv6]:port");
            }
            port = rest.substring(1);
            if (IpLiteral.parseV6(host) == null) {
                throw Refusal.badRequest("CONNECT target '" + authority + "': '" + host
                        + "' is not an IPv6 address" + (host.indexOf('%') >= 0 ? " (zone IDs are not allowed)" : ""));
            }
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon < 0) {
                throw Refusal.badRequest(
                        "CONNECT target '" + authority + "' lacks a port; expected host:port");
            }
            host = authority.substring(0, colon);
            port = authority.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw Refusal.badRequest("CONNECT target '" + authority
                        + "': an IPv6 address must be enclosed in brackets, as in [2001:db8::1]:443");
            }
        }
        return new Target(normalizeHost(host, "CONNECT target '" + authority + "'"), parsePort(port, authority));
    }

    /**
     * A target from separate host and port, as extracted from a connect-udp URI template (RFC 9298 §2). The host
     * may be an IPv6 literal without brackets (brackets are tolerated and removed).
     *
     * @throws Refusal 400 with a message saying what is wrong
     */
    public static Target of(String host, int port) throws Refusal {
        if (host == null || host.isEmpty()) {
            throw Refusal.badRequest("target host is empty");
        }
        checkCharacters(host, "target host");
        if (host.length() > 2 && host.startsWith("[") && host.endsWith("]") && host.indexOf(':') >= 0) {
            host = host.substring(1, host.length() - 1);
        }
        if (port < 1 || port > 65535) {
            throw Refusal.badRequest("target port " + port + " is out of range 1..65535");
        }
        return new Target(normalizeHost(host, "target host '" + host + "'"), port);
    }

    /** Port as a decimal string, as found in an authority or a URI template variable. */
    static int parsePort(String port, String context) throws Refusal {
        if (port.isEmpty()) {
            throw Refusal.badRequest("'" + context + "' has an empty port");
        }
        for (int i = 0; i < port.length(); i++) {
            char c = port.charAt(i);
            if (c < '0' || c > '9') {
                throw Refusal.badRequest(
                        "'" + context + "': port '" + port + "' must be decimal digits only (no sign or spaces)");
            }
        }
        // Length check first: a long run of digits must not overflow into range.
        int value = port.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(port);
        if (value < 1 || value > 65535) {
            throw Refusal.badRequest("'" + context + "': port " + port + " is out of range 1..65535");
        }
        return value;
    }

    /** IPv4 or IPv6 literal (as opposed to a name that needs DNS). */
    public boolean isIpLiteral() {
        return ipBytes() != null;
    }

    /** The address of an IP literal, built without any lookup; empty for a DNS name. */
    public Optional<InetAddress> inetAddress() {
        byte[] bytes = ipBytes();
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes)); // never resolves: the address is given
        } catch (UnknownHostException e) {
            throw new AssertionError("4- or 16-byte address rejected", e);
        }
    }

    /** host:port, with brackets around an IPv6 literal (RFC 3986 §3.2.2). */
    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return authority();
    }

    private byte[] ipBytes() {
        return IpLiteral.parse(host);
    }

    private static void checkCharacters(String s, String what) throws Refusal {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw Refusal.badRequest(
                        what + " contains a space, control or non-ASCII character at index " + i);
            }
        }
    }

    /** Validates an IP literal or DNS name (brackets already removed) and returns its canonical text. */
    private static String normalizeHost(String host, String context) throws Refusal {
        if (host.isEmpty()) {
            throw Refusal.badRequest(context + " has an empty host");
        }
        String lower = host.toLowerCase(Locale.ROOT);
        if (lower.indexOf(':') >= 0) {
            if (IpLiteral.parseV6(lower) == null) {
                throw Refusal.badRequest(context + ": '" + host + "' is not an IPv6 address"
                        + (host.indexOf('%') >= 0 ? " (zone IDs are not allowed)" : ""));
            }
            return lower;
        }
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1); // the root label: "example.com." is "example.com"
        }
        if (IpLiteral.parseV4(lower) != null) {
            return lower;
        }
        checkHostName(lower, context);
        return lower;
    }

    private static void checkHostName(String name, String context) throws Refusal {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw Refusal.badRequest(
                    context + ": host name must be 1.." + MAX_NAME_LENGTH + " characters long");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // RFC 1123 §2.1 host names: letters, digits and hyphens. '_' exists in DNS (SRV labels) but names no
            // host; sent to the resolver it came back as a 502 that blamed DNS for the client's mistake.
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
            if (!ok) {
                throw Refusal.badRequest(context + ": character '" + c
                        + "' is not allowed in a host name (letters, digits, '-', '.')");
            }
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH) {
                throw Refusal.badRequest(
                        context + ": every host name label must be 1.." + MAX_LABEL_LENGTH + " characters long");
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw Refusal.badRequest(context + ": host name label '" + label + "' begins or ends with '-'"
                        + " (RFC 1123)");
            }
            // An A-label (RFC 5890 §2.3.2.1) must decode as Punycode (IDN gives the label back unchanged when it
            // does not) and encode back to itself.
            if (label.startsWith("xn--") && !isALabel(label)) {
                throw Refusal.badRequest(context + ": host name label '" + label
                        + "' is not a valid internationalised (xn--, Punycode) label");
            }
        }
        // A name whose last label is a number ("1.2.3", "256.0.0.1", "0x7f.1") is no DNS name (top-level domains
        // are alphabetic, RFC 3696 §2) but some resolvers (inet_aton) read it as an IPv4 address in an odd notation,
        // which would slip past address-based access rules. Refuse it.
        String last = labels[labels.length - 1];
        if (last.chars().allMatch(ch -> ch >= '0' && ch <= '9') || isHexNumber(last)) {
            throw Refusal.badRequest(context
                    + ": looks like a numeric IPv4 address but is not a dotted quad a.b.c.d with parts 0..255 and no leading zeros");
        }
    }

    private static boolean isALabel(String label) {
        String unicode = IDN.toUnicode(label, IDN.ALLOW_UNASSIGNED);
        if (unicode.equals(label) || unicode.isEmpty()) {
            return false;
        }
        try {
            return IDN.toASCII(unicode, IDN.ALLOW_UNASSIGNED).equalsIgnoreCase(label);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isHexNumber(String label) {
        return label.startsWith("0x") && label.substring(2).chars().allMatch(ch -> Character.digit(ch, 16) >= 0);
    }
}
