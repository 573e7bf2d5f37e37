package org.masquerelay.wire;

/**
 * RFC 9114 §4.2 (with RFC 9110 §5.1, §5.5): which field lines make an HTTP/3 message malformed. A name is a token in
 * lower case (a pseudo-header name is ':' and such a token); a value contains no NUL, LF or CR and neither starts nor
 * ends with a space or tab. The relay never forwards request fields, but it logs and compares them, and a value
 * with a line break would forge a log line.
 */
final class FieldLines {
    private FieldLines() {
    }

    /** @throws Refusal 400 naming the field and the problem */
    static void check(HttpFields.Field field) throws Refusal {
        String name = field.name();
        String token = field.isPseudo() ? name.substring(1) : name;
        if (token.isEmpty()) {
            throw Refusal.badRequest("a header field has an empty name (RFC 9114 §4.2)");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (!isLowerCaseTchar(c)) {
                throw Refusal.badRequest("header field name '" + printable(name) + "' has "
                        + (c >= 'A' && c <= 'Z' ? "an upper-case letter" : "character 0x" + Integer.toHexString(c))
                        + " (RFC 9114 §4.2: lower-case tokens only)");
            }
        }
        String value = field.value();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0 || c == '\n' || c == '\r') {
                throw Refusal.badRequest("header field '" + printable(name)
                        + "' has a NUL, CR or LF in its value (RFC 9114 §4.2)");
            }
        }
        if (!value.isEmpty() && (isBlank(value.charAt(0)) || isBlank(value.charAt(value.length() - 1)))) {
            throw Refusal.badRequest("header field '" + printable(name)
                    + "' has a value that starts or ends with whitespace (RFC 9114 §4.2)");
        }
    }

    private static boolean isLowerCaseTchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
