package org.masquerelay.wire;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One member of a Proxy-Status field (RFC 9209 §2): the name of the proxy that handled the request, with the
 * parameters "error" (a Proxy Error Type token), "details" (free text for people) and any others, such as
 * "next-hop" or "received-status" (§2.1).
 *
 * <p>Proxy-Status is a structured field, a List (RFC 8941 §3.1), so values are serialized per RFC 8941 §4.1.
 * {@code otherParams} values are strings; on output, a value that reads as an sf-integer, sf-decimal, sf-boolean
 * ("?0"/"?1") or sf-token is written bare, anything else as an sf-string. The parser turns every bare item back
 * into that text form.
 */
public record ProxyStatus(String proxyName, String error, String details, Map<String, String> otherParams) {

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z*][!#$%&'*+\\-.^_`|~0-9A-Za-z:/]*");
    private static final Pattern KEY = Pattern.compile("[a-z*][a-z0-9_\\-.*]*");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,15}");
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,12}\\.[0-9]{1,3}");

    public ProxyStatus {
        Objects.requireNonNull(proxyName, "proxyName");
        Map<String, String> copy = new LinkedHashMap<>();
        if (otherParams != null) {
            for (Map.Entry<String, String> e : otherParams.entrySet()) {
                String key = Objects.requireNonNull(e.getKey(), "parameter name");
                if (key.equals("error") || key.equals("details")) {
                    throw new IllegalArgumentException("'" + key + "' has its own record component");
                }
                if (!KEY.matcher(key).matches()) {
                    throw new IllegalArgumentException("'" + key + "' is not a structured-field key (RFC 8941 §3.1.2)");
                }
                copy.put(key, Objects.requireNonNull(e.getValue(), "parameter value"));
            }
        }
        otherParams = Collections.unmodifiableMap(copy);
    }

    public static ProxyStatus of(String proxyName, ProxyError error, String details) {
        return new ProxyStatus(proxyName, error == null ? null : error.token(), details, Map.of());
    }

    /** The error parameter as a known Proxy Error Type, if it is one. */
    public Optional<ProxyError> proxyError() {
        return ProxyError.fromToken(error);
    }

    /** This member serialized as RFC 8941 §4.1.1 prescribes for a list member with parameters. */
    public String toHeaderValue() {
        StringBuilder out = new StringBuilder();
        out.append(TOKEN.matcher(proxyName).matches() ? proxyName : sfString(proxyName));
        if (error != null) {
            if (!TOKEN.matcher(error).matches()) {
                throw new IllegalArgumentException("error '" + error + "' is not a token (RFC 9209 §2.1.1)");
            }
            out.append(";error=").append(error);
        }
        if (details != null) {
            out.append(";details=").append(sfString(details));
        }
        for (Map.Entry<String, String> e : otherParams.entrySet()) {
            String v = e.getValue();
            out.append(';').append(e.getKey());
            if (v.equals("?1")) {
                continue; // RFC 8941 §4.1.1.2: a true boolean parameter is written as its key alone
            }
            out.append('=');
            boolean bare = v.equals("?0") || INTEGER.matcher(v).matches() || DECIMAL.matcher(v).matches()
                    || TOKEN.matcher(v).matches();
            out.append(bare ? v : sfString(v));
        }
        return out.toString();
    }

    /** Several members as one field value, in order (RFC 8941 §4.1.1: members joined by ", "). */
    public static String toHeaderValue(List<ProxyStatus> members) {
        StringBuilder out = new StringBuilder();
        for (ProxyStatus m : members) {
            if (!out.isEmpty()) {
                out.append(", ");
            }
            out.append(m.toHeaderValue());
        }
        return out.toString();
    }

    /**
     * An sf-string (RFC 8941 §4.1.6): '\' and '"' escaped; characters outside printable ASCII, which an sf-string
     * cannot carry, replaced by '?'.
     */
    static String sfString(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '"') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append('?');
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++; // one '?' per character, not per UTF-16 unit
                }
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /**
     * Parses a Proxy-Status field value: an sf-list of items with parameters (RFC 8941 §4.2.1). Tolerates extra
     * spaces around commas and before ';'. An empty value is an empty list.
     *
     * @throws IllegalArgumentException when the value is not a valid list of proxy names with parameters
     */
    public static List<ProxyStatus> parse(String headerValue) {
        return new SfParser(headerValue).parseList();
    }

    /** A recursive-descent parser for the subset of RFC 8941 §4.2 that Proxy-Status uses. */
    private static final class SfParser {
        private final String s;
        private int pos;

        SfParser(String s) {
            this.s = Objects.requireNonNull(s, "headerValue");
        }

        List<ProxyStatus> parseList() {
            List<ProxyStatus> members = new ArrayList<>();
            skipOws();
            if (pos == s.length()) {
                return members;
            }
            while (true) {
                members.add(parseMember());
                skipOws();
                if (pos == s.length()) {
                    return members;
                }
                if (s.charAt(pos) != ',') {
                    throw fail("expected ',' between list members");
                }
                pos++;
                skipOws();
                if (pos == s.length()) {
                    throw fail("trailing ','");
                }
            }
        }

        private ProxyStatus parseMember() {
            if (peek() == '(') {
                throw fail("inner lists are not Proxy-Status members");
            }
            char first = peek();
            if (first != '"' && !isAlpha(first) && first != '*') {
                throw fail("a Proxy-Status member must be a proxy name (token or string)");
            }
            String name = parseBareItem();
            String error = null;
            String details = null;
            Map<String, String> others = new LinkedHashMap<>();
            while (true) {
                int save = pos;
                while (pos < s.length() && s.charAt(pos) == ' ') {
                    pos++;
                }
                if (peek() != ';') {
                    pos = save;
                    break;
                }
                pos++;
                while (pos < s.length() && s.charAt(pos) == ' ') {
                    pos++;
                }
                String key = parseKey();
                String value = "?1"; // RFC 8941 §4.2.3.2: a parameter without value is boolean true
                if (peek() == '=') {
                    pos++;
                    value = parseBareItem();
                }
                switch (key) {
                    case "error" -> {
                        // RFC 9209 §2.1.1: a Token. Found by fuzzing (ProxyStatusFuzzTest): "x; error" was accepted
                        // as error "?1", which this class then refused to write back.
                        if (!TOKEN.matcher(value).matches()) {
                            throw fail("the error parameter must be a token (RFC 9209 §2.1.1)");
                        }
                        error = value;
                    }
                    case "details" -> details = value;
                    default -> {
                        others.remove(key); // RFC 8941 §4.2.3.2: a repeated key overwrites, in its new position
                        others.put(key, value);
                    }
                }
            }
            return new ProxyStatus(name, error, details, others);
        }

        private String parseKey() {
            int start = pos;
            char c = peek();
            if (!((c >= 'a' && c <= 'z') || c == '*')) {
                throw fail("expected a parameter key");
            }
            pos++;
            while (pos < s.length()) {
                c = s.charAt(pos);
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'
                        || c == '*') {
                    pos++;
                } else {
                    break;
                }
            }
            return s.substring(start, pos);
        }

        /** Returns the item as text: the content of a string, a token, a number, "?0"/"?1", ":base64:". */
        private String parseBareItem() {
            char c = peek();
            if (c == '"') {
                return parseString();
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                return parseNumber();
            }
            if (isAlpha(c) || c == '*') {
                return parseToken();
            }
            if (c == '?') {
                if (pos + 1 < s.length() && (s.charAt(pos + 1) == '0' || s.charAt(pos + 1) == '1')) {
                    pos += 2;
                    return s.substring(pos - 2, pos);
                }
                throw fail("invalid boolean");
            }
            if (c == ':') {
                int end = s.indexOf(':', pos + 1);
                if (end < 0) {
                    throw fail("unterminated byte sequence");
                }
                for (int i = pos + 1; i < end; i++) {
                    char b = s.charAt(i);
                    if (!(isAlpha(b) || (b >= '0' && b <= '9') || b == '+' || b == '/' || b == '=')) {
                        throw fail("invalid base64 in byte sequence");
                    }
                }
                String raw = s.substring(pos, end + 1);
                pos = end + 1;
                return raw;
            }
            throw fail("expected an item");
        }

        private String parseString() {
            StringBuilder out = new StringBuilder();
            pos++; // opening quote
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '\\') {
                    if (pos == s.length()) {
                        throw fail("string ends with a lone backslash");
                    }
                    char next = s.charAt(pos++);
                    if (next != '"' && next != '\\') {
                        throw fail("only \\\" and \\\\ escapes are allowed in a string");
                    }
                    out.append(next);
                } else if (c == '"') {
                    return out.toString();
                } else if (c < 0x20 || c > 0x7e) {
                    throw fail("string contains a non-printable or non-ASCII character");
                } else {
                    out.append(c);
                }
            }
            throw fail("unterminated string");
        }

        private String parseNumber() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            int digitsStart = pos;
            while (pos < s.length() && ((s.charAt(pos) >= '0' && s.charAt(pos) <= '9') || s.charAt(pos) == '.')) {
                pos++;
            }
            String number = s.substring(start, pos);
            if (pos == digitsStart || !(INTEGER.matcher(number).matches() || DECIMAL.matcher(number).matches())) {
                throw fail("invalid number '" + number + "'");
            }
            return number;
        }

        private String parseToken() {
            int start = pos;
            pos++;
            while (pos < s.length() && isTokenChar(s.charAt(pos))) {
                pos++;
            }
            return s.substring(start, pos);
        }

        private static boolean isTokenChar(char c) {
            return isAlpha(c) || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~:/".indexOf(c) >= 0;
        }

        private static boolean isAlpha(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void skipOws() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
        }

        private IllegalArgumentException fail(String what) {
            return new IllegalArgumentException("invalid Proxy-Status field value at index " + pos + ": " + what
                    + " in '" + s + "'");
        }
    }
}
