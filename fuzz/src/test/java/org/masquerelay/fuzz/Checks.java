package org.masquerelay.fuzz;

/** Properties every accepted value must have, whatever parser accepted it. */
public final class Checks {
    private Checks() {
    }

    /** A host the relay resolves and logs: no whitespace, control character, separator or non-ASCII character. */
    public static void cleanHost(String host) {
        if (host.isEmpty()) {
            throw new AssertionError("empty host accepted");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "/?#@[]\\\"'<>{}|^`%,;".indexOf(c) >= 0) {
                throw new AssertionError("host '" + host + "' accepted with character 0x" + Integer.toHexString(c));
            }
        }
    }

    /** A field value that is safe to log or forward: no CR, LF or NUL (RFC 9110 §5.5). */
    public static void cleanFieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new AssertionError("field value accepted with character 0x" + Integer.toHexString(c));
            }
        }
    }

    /** A field name as HTTP/3 allows it (RFC 9114 §4.2): a lower-case token, or a pseudo-header name. */
    public static void cleanFieldName(String name) {
        String token = name.startsWith(":") ? name.substring(1) : name;
        if (token.isEmpty()) {
            throw new AssertionError("empty field name accepted");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                throw new AssertionError("field name '" + name + "' accepted with character 0x" + Integer.toHexString(c));
            }
        }
    }
}
