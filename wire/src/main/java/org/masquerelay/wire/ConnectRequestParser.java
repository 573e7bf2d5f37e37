package org.masquerelay.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the header section of a CONNECT request into a {@link TunnelRequest}, or says precisely why not (status,
 * Proxy-Status error type, message). Checks follow RFC 9114 §4.3 (pseudo-header rules), §4.4 (classic CONNECT),
 * RFC 9220 (extended CONNECT over HTTP/3) and RFC 9298 §3.4 (connect-udp).
 */
public final class ConnectRequestParser {

    static final String CONNECT_UDP = "connect-udp";

    /** Request pseudo-header fields (RFC 9114 §4.3.1, RFC 9220 §3); any other one makes the request malformed. */
    private static final List<String> REQUEST_PSEUDO_HEADERS =
            List.of(":method", ":scheme", ":authority", ":path", ":protocol");

    /** Connection-specific fields make an HTTP/3 message malformed (RFC 9114 §4.2). */
    private static final Set<String> CONNECTION_SPECIFIC =
            Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");

    private final List<ConnectUdpTemplate> templates;

    /** @param templates extra connect-udp templates, tried in order after the default one (RFC 9298 §2) */
    public ConnectRequestParser(List<ConnectUdpTemplate> templates) {
        List<ConnectUdpTemplate> all = new ArrayList<>();
        all.add(ConnectUdpTemplate.defaultTemplate());
        all.addAll(templates);
        this.templates = List.copyOf(all);
    }

    public List<ConnectUdpTemplate> templates() {
        return templates;
    }

    /**
     * @return empty when the request is not a CONNECT (the caller routes it elsewhere)
     * @throws Refusal 400 malformed, 404 no template matches the :path, 501 unsupported :protocol
     */
    public Optional<TunnelRequest> parse(HttpFields request) throws Refusal {
        int methods = request.count(":method");
        if (methods != 1) {
            throw Refusal.badRequest("request has " + methods
                    + " :method pseudo-header fields; exactly one is required (RFC 9114 §4.3.1)");
        }
        // Methods are case-sensitive (RFC 9110 §9.1): "connect" is some other method.
        if (!"CONNECT".equals(request.getOrNull(":method"))) {
            return Optional.empty();
        }
        checkFieldSection(request);

        String protocol = request.getOrNull(":protocol");
        if (protocol == null) {
            return Optional.of(classicConnect(request));
        }
        if (!CONNECT_UDP.equals(protocol)) {
            throw new Refusal(501, ProxyError.HTTP_REQUEST_ERROR, "unsupported :protocol '" + protocol
                    + "'; this relay supports extended CONNECT only for connect-udp (RFC 9298)");
        }
        return Optional.of(connectUdp(request));
    }

    /** RFC 9114 §4.4: :method CONNECT and :authority only. */
    private static TunnelRequest classicConnect(HttpFields request) throws Refusal {
        if (request.contains(":scheme")) {
            throw Refusal.badRequest("classic CONNECT must not carry :scheme (RFC 9114 §4.4)");
        }
        if (request.contains(":path")) {
            throw Refusal.badRequest("classic CONNECT must not carry :path (RFC 9114 §4.4)");
        }
        String authority = request.getOrNull(":authority");
        if (authority == null || authority.isEmpty()) {
            throw Refusal.badRequest(
                    "classic CONNECT needs :authority with the target host:port (RFC 9114 §4.4)");
        }
        return new TcpConnectRequest(Target.parseAuthority(authority));
    }

    /** RFC 9298 §3.4: :scheme and :path from the expanded template, :authority of the proxy. */
    private TunnelRequest connectUdp(HttpFields request) throws Refusal {
        String scheme = request.getOrNull(":scheme");
        if (scheme == null) {
            throw Refusal.badRequest("connect-udp request lacks :scheme (RFC 9298 §3.4, RFC 9220 §3)");
        }
        if (!"https".equals(scheme)) {
            throw Refusal.badRequest("connect-udp request has :scheme '" + scheme
                    + "'; HTTP/3 requests to this relay must use https (RFC 9114 §3.1)");
        }
        String authority = request.getOrNull(":authority");
        if (authority == null || authority.isEmpty()) {
            throw Refusal.badRequest("connect-udp request lacks :authority (RFC 9298 §3.4)");
        }
        String path = request.getOrNull(":path");
        if (path == null || path.isEmpty()) {
            throw Refusal.badRequest("connect-udp request lacks :path (RFC 9298 §3.4)");
        }
        for (ConnectUdpTemplate template : templates) {
            Optional<Target> target = template.match(path);
            if (target.isPresent()) {
                checkCapsuleProtocol(request);
                return new UdpConnectRequest(target.get());
            }
        }
        throw new Refusal(404, ProxyError.HTTP_REQUEST_ERROR, "no connect-udp URI template of this relay matches :path '"
                + path + "' (expected for example " + templates.get(0).expand("192.0.2.1", 443) + ")");
    }

    /**
     * RFC 9298 §3.4: a connect-udp request carries {@code capsule-protocol: ?1} (RFC 9297 §3.4, a Structured Field
     * boolean, parameters allowed); without it the client has not agreed to the capsules the tunnel is made of.
     */
    private static void checkCapsuleProtocol(HttpFields request) throws Refusal {
        List<String> values = request.getAll("capsule-protocol");
        String value = values.size() == 1 ? values.get(0).trim() : null;
        if (value == null || !(value.equals("?1") || value.startsWith("?1;"))) {
            throw Refusal.badRequest("connect-udp request needs 'capsule-protocol: ?1' (RFC 9298 §3.4), got "
                    + (values.isEmpty() ? "none" : "'" + String.join(", ", values) + "'"));
        }
    }

    /**
     * RFC 9114 §4.3.1: a Host header field, when sent besides :authority, must say the same; a request where they
     * differ is malformed (which one would the policy have checked?).
     */
    private static void checkHost(HttpFields request) throws Refusal {
        String authority = request.getOrNull(":authority");
        for (String host : request.getAll("host")) {
            if (authority == null || !host.trim().equalsIgnoreCase(authority)) {
                throw Refusal.badRequest("the host header '" + host + "' differs from :authority '" + authority
                        + "' (RFC 9114 §4.3.1)");
            }
        }
    }

    /** RFC 9114 §4.2, §4.3: rules whose violation makes any HTTP/3 request malformed. */
    private static void checkFieldSection(HttpFields request) throws Refusal {
        boolean regularSeen = false;
        for (HttpFields.Field field : request) {
            FieldLines.check(field);
            String name = field.name();
            if (field.isPseudo()) {
                if (regularSeen) {
                    throw Refusal.badRequest("pseudo-header field " + name
                            + " comes after a regular header field (RFC 9114 §4.3)");
                }
                if (!REQUEST_PSEUDO_HEADERS.contains(name)) {
                    throw Refusal.badRequest("pseudo-header field " + name
                            + " is not defined for requests (RFC 9114 §4.3)");
                }
            } else {
                regularSeen = true;
                if (CONNECTION_SPECIFIC.contains(name)) {
                    throw Refusal.badRequest("connection-specific header field '" + name
                            + "' is not allowed in HTTP/3 (RFC 9114 §4.2)");
                }
                if (name.equals("te") && !field.value().trim().equalsIgnoreCase("trailers")) {
                    throw Refusal.badRequest(
                            "header field 'te' may only be 'trailers' in HTTP/3 (RFC 9114 §4.2)");
                }
            }
        }
        for (String name : REQUEST_PSEUDO_HEADERS) {
            int count = request.count(name);
            if (count > 1) {
                throw Refusal.badRequest("request has " + count + " " + name
                        + " pseudo-header fields; at most one is allowed (RFC 9114 §4.3)");
            }
        }
        checkHost(request);
    }
}
