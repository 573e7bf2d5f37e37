package org.masquerelay.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A connect-udp URI template (RFC 9298 §2, RFC 6570) with the variables {@code target_host} and
 * {@code target_port}: matches request paths against it (server side) and expands it (client side).
 *
 * <p>Supported expressions are those RFC 9298 §2 allows: simple string expansion {@code {var}} (also with several
 * variables, {@code {a,b}}), form-style query {@code {?a,b}} and query continuation {@code {&a}}; no modifiers.
 * Only the two connect-udp variables may appear, each exactly once, so that a typo in the configuration is caught
 * at start-up rather than silently never matching.
 */
public final class ConnectUdpTemplate {

    /** The default template's path (RFC 9298 §2), offered to clients that only know a proxy host and port. */
    public static final String DEFAULT_PATH = "/.well-known/masque/udp/{target_host}/{target_port}/";

    static final String TARGET_HOST = "target_host";
    static final String TARGET_PORT = "target_port";

    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
    private static final Pattern VARNAME = Pattern.compile("[A-Za-z0-9_]+");

    /** A literal run of the template, or one {…} expression. */
    private sealed interface Part permits Literal, Expression {}

    private record Literal(String text) implements Part {}

    /** operator is 0 for simple string expansion, '?' or '&' for the form-style query ones. */
    private record Expression(char operator, List<String> variables) implements Part {}

    private final String template;
    private final String scheme; // null for a path-only template
    private final String authority; // null for a path-only template
    private final List<Part> parts;
    private final Pattern pattern;
    private final List<String> groupVariables; // regex group i+1 holds groupVariables.get(i)

    private ConnectUdpTemplate(String template, String scheme, String authority, List<Part> parts) {
        this.template = template;
        this.scheme = scheme;
        this.authority = authority;
        this.parts = List.copyOf(parts);
        this.groupVariables = new ArrayList<>();
        this.pattern = compile(this.parts, groupVariables);
    }

    public static ConnectUdpTemplate defaultTemplate() {
        return parse(DEFAULT_PATH);
    }

    /**
     * Parses an absolute template ({@code https://relay.example:443/masque/{target_host}/{target_port}/}) or a
     * path-only one ({@code /masque{?target_host,target_port}}).
     *
     * @throws IllegalArgumentException with a message naming the problem
     */
    public static ConnectUdpTemplate parse(String template) {
        if (template == null || template.isEmpty()) {
            throw new IllegalArgumentException("connect-udp URI template is empty");
        }
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("URI template '" + template + "' has a character outside"
                        + " 0x21-0x7E at index " + i + " (RFC 9298 §2)");
            }
        }
        if (template.indexOf('#') >= 0) {
            throw new IllegalArgumentException("URI template '" + template
                    + "' has a fragment or a {#...} expression, which RFC 9298 §2 does not allow");
        }
        String scheme = null;
        String authority = null;
        String pathAndQuery = template;
        if (!template.startsWith("/")) {
            int sep = template.indexOf("://");
            if (sep < 0) {
                throw new IllegalArgumentException("URI template '" + template
                        + "' must be an absolute URI (https://host/path...) or a path starting with '/'");
            }
            scheme = template.substring(0, sep);
            if (!SCHEME.matcher(scheme).matches()) {
                throw new IllegalArgumentException("URI template '" + template + "' has an invalid scheme");
            }
            int pathStart = template.indexOf('/', sep + 3);
            int braceOrQuery = indexOfAny(template, sep + 3, "{}?");
            if (pathStart < 0 || (braceOrQuery >= 0 && braceOrQuery < pathStart)) {
                throw new IllegalArgumentException("URI template '" + template + "' needs a path starting with '/'"
                        + " after the authority, and its variables must be in the path or query (RFC 9298 §2)");
            }
            authority = template.substring(sep + 3, pathStart);
            if (authority.isEmpty()) {
                throw new IllegalArgumentException("URI template '" + template + "' has an empty authority");
            }
            pathAndQuery = template.substring(pathStart);
        }
        return new ConnectUdpTemplate(template, scheme, authority, parseParts(template, pathAndQuery));
    }

    private static List<Part> parseParts(String template, String s) {
        List<Part> parts = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int open = s.indexOf('{', i);
            int close = s.indexOf('}', i);
            if (close >= 0 && (open < 0 || close < open)) {
                throw new IllegalArgumentException("URI template '" + template + "' has a '}' without '{'");
            }
            if (open < 0) {
                parts.add(new Literal(s.substring(i)));
                break;
            }
            if (open > i) {
                parts.add(new Literal(s.substring(i, open)));
            }
            if (close < 0) {
                throw new IllegalArgumentException("URI template '" + template + "' has a '{' without '}'");
            }
            String body = s.substring(open + 1, close);
            if (body.indexOf('{') >= 0) {
                throw new IllegalArgumentException("URI template '" + template + "' has nested '{'");
            }
            Expression e = parseExpression(template, body);
            for (String v : e.variables()) {
                if (seen.contains(v)) {
                    throw new IllegalArgumentException("URI template '" + template + "' uses {" + v + "} twice");
                }
                seen.add(v);
            }
            parts.add(e);
            i = close + 1;
        }
        for (String required : List.of(TARGET_HOST, TARGET_PORT)) {
            if (!seen.contains(required)) {
                throw new IllegalArgumentException("URI template '" + template + "' lacks the variable {"
                        + required + "} (RFC 9298 §2)");
            }
        }
        requireUnambiguous(template, parts);
        return parts;
    }

    /**
     * A value ends at the first character that cannot be part of it (see {@link #compile}); what follows an
     * expression must start with such a character, or two targets could expand to the same path and a request be
     * matched to the wrong one: {@code /{&target_port}{target_host}} expands port 1 and host "1x" like port 11 and
     * host "x" (found by fuzzing, ConnectUdpTemplateFuzzTest).
     */
    private static void requireUnambiguous(String template, List<Part> parts) {
        boolean inQuery = false;
        for (int k = 0; k < parts.size(); k++) {
            Part part = parts.get(k);
            if (part instanceof Literal l) {
                inQuery |= l.text().indexOf('?') >= 0;
                continue;
            }
            Expression e = (Expression) part;
            String stops = e.operator() != 0 ? "&#" : inQuery ? "&#," : "/?#,";
            inQuery |= e.operator() != 0;
            if (k + 1 == parts.size()) {
                continue;
            }
            Part next = parts.get(k + 1);
            char c = next instanceof Literal nl ? nl.text().charAt(0) : ((Expression) next).operator();
            if (c == 0 || stops.indexOf(c) < 0) {
                throw new IllegalArgumentException("URI template '" + template + "': what follows {"
                        + String.join(",", e.variables()) + "} must start with one of \"" + stops
                        + "\", or its value has no clear end");
            }
        }
    }

    private static Expression parseExpression(String template, String body) {
        if (body.isEmpty()) {
            throw new IllegalArgumentException("URI template '" + template + "' has an empty expression {}");
        }
        char first = body.charAt(0);
        char operator = 0;
        if (first == '?' || first == '&') {
            operator = first;
            body = body.substring(1);
        } else if ("+#./;".indexOf(first) >= 0) {
            throw new IllegalArgumentException("URI template '" + template + "' uses the '" + first
                    + "' operator, which RFC 9298 §2 forbids; use {var}, {?var,...} or {&var,...}");
        } else if ("=,!@|".indexOf(first) >= 0) {
            throw new IllegalArgumentException("URI template '" + template + "' uses the reserved operator '"
                    + first + "' (RFC 6570 §2.2)");
        }
        List<String> variables = new ArrayList<>();
        for (String name : body.split(",", -1)) {
            if (name.endsWith("*") || name.indexOf(':') >= 0) {
                throw new IllegalArgumentException("URI template '" + template + "': modifiers such as '" + name
                        + "' are not supported here");
            }
            if (!VARNAME.matcher(name).matches()) {
                throw new IllegalArgumentException("URI template '" + template + "' has an invalid variable name '"
                        + name + "'");
            }
            if (!name.equals(TARGET_HOST) && !name.equals(TARGET_PORT)) {
                throw new IllegalArgumentException("URI template '" + template + "' has the unknown variable {"
                        + name + "}; only {target_host} and {target_port} are allowed");
            }
            variables.add(name);
        }
        return new Expression(operator, variables);
    }

    /**
     * Builds the matching regular expression. A value stops at the characters that delimit it in its part of the
     * URI ('/' in the path, '&' in the query), so clients that send ':' unencoded in an IPv6 literal still match.
     */
    private static Pattern compile(List<Part> parts, List<String> groupVariables) {
        StringBuilder re = new StringBuilder();
        boolean inQuery = false;
        for (Part part : parts) {
            if (part instanceof Literal l) {
                re.append(Pattern.quote(l.text()));
                inQuery |= l.text().indexOf('?') >= 0;
            } else if (part instanceof Expression e) {
                if (e.operator() == 0) {
                    String value = inQuery ? "([^&#,]*)" : "([^/?#,]*)";
                    for (int i = 0; i < e.variables().size(); i++) {
                        re.append(i == 0 ? "" : ",").append(value);
                        groupVariables.add(e.variables().get(i));
                    }
                } else {
                    for (int i = 0; i < e.variables().size(); i++) {
                        char sep = i == 0 ? e.operator() : '&';
                        re.append(Pattern.quote(sep + e.variables().get(i) + "=")).append("([^&#]*)");
                        groupVariables.add(e.variables().get(i));
                    }
                    inQuery = true;
                }
            }
        }
        return Pattern.compile(re.toString());
    }

    /**
     * Matches a request's :path (path and query) against the template.
     *
     * @return empty when the path does not have the template's shape; otherwise the target it names
     * @throws Refusal 400 when the path matches but the host or port is invalid
     */
    public Optional<Target> match(String pathAndQuery) throws Refusal {
        if (pathAndQuery == null) {
            return Optional.empty();
        }
        Matcher m = pattern.matcher(pathAndQuery);
        if (!m.matches()) {
            return Optional.empty();
        }
        String host = null;
        String port = null;
        for (int i = 0; i < groupVariables.size(); i++) {
            String value = percentDecode(m.group(i + 1));
            if (groupVariables.get(i).equals(TARGET_HOST)) {
                host = value;
            } else {
                port = value;
            }
        }
        if (host == null || host.isEmpty()) {
            throw Refusal.badRequest("connect-udp request '" + pathAndQuery + "' has an empty target_host");
        }
        int portNumber = Target.parsePort(Objects.requireNonNull(port), "target_port in " + pathAndQuery);
        return Optional.of(Target.of(host, portNumber));
    }

    /**
     * The request path (and query) for a target: RFC 6570 expansion, where every character outside the unreserved
     * set is percent-encoded, so an IPv6 literal becomes "2001%3Adb8%3A%3A1" (RFC 9298 §3). Brackets around an IPv6
     * literal are dropped first: they are URI syntax, not part of the address.
     */
    public String expand(String host, int port) {
        if (host.length() > 2 && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String portText = Integer.toString(port);
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            if (part instanceof Literal l) {
                out.append(l.text());
            } else if (part instanceof Expression e) {
                for (int i = 0; i < e.variables().size(); i++) {
                    String name = e.variables().get(i);
                    String value = percentEncode(name.equals(TARGET_HOST) ? host : portText);
                    if (e.operator() == 0) {
                        out.append(i == 0 ? "" : ",").append(value);
                    } else {
                        out.append(i == 0 ? e.operator() : '&').append(name).append('=').append(value);
                    }
                }
            }
        }
        return out.toString();
    }

    /** The authority of an absolute template (for example "relay.example:443"), or null for a path-only one. */
    public String authority() {
        return authority;
    }

    /** The scheme of an absolute template, lower-cased (RFC 3986 §3.1: schemes are case-insensitive). */
    public Optional<String> scheme() {
        return Optional.ofNullable(scheme).map(s -> s.toLowerCase(Locale.ROOT));
    }

    /** The template text as given. */
    public String template() {
        return template;
    }

    @Override
    public String toString() {
        return template;
    }

    /** RFC 6570 §3.2.1: keep unreserved characters, percent-encode the UTF-8 bytes of everything else. */
    static String percentEncode(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >>> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /**
     * Decodes %XX escapes. Bytes decode to the chars of the same value; hosts and ports are ASCII, so anything
     * above 0x7F is rejected later by the target checks.
     */
    static String percentDecode(String value) throws Refusal {
        if (value.indexOf('%') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int hi = i + 1 < value.length() ? hexValue(value.charAt(i + 1)) : -1;
            int lo = i + 2 < value.length() ? hexValue(value.charAt(i + 2)) : -1;
            if (hi < 0 || lo < 0) {
                throw Refusal.badRequest("invalid percent-encoding in '" + value + "'");
            }
            out.append((char) (hi * 16 + lo));
            i += 2;
        }
        return out.toString();
    }

    /** ASCII hex digits only (Character.digit would also take non-ASCII digits). */
    private static int hexValue(char c) {
        return c < 0x80 ? Character.digit(c, 16) : -1;
    }

    private static int indexOfAny(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
