package org.masquerelay.interop.matrix;

/** The test cases, with short codes as in the QUIC Interop Runner. */
public enum Case {
    H("handshake", "QUIC + TLS 1.3 + ALPN h3; SETTINGS 0x08=1, 0x33=1; QUIC DATAGRAM"),
    T("tcp", "classic CONNECT to a TCP echo target, bytes both ways after the 2xx"),
    U("udp-datagrams", "connect-udp on the default template, HTTP datagrams both ways"),
    C("udp-capsules", "connect-udp without QUIC DATAGRAM: DATAGRAM capsules on the stream"),
    O("optimistic", "TCP bytes sent before the 2xx arrive at the target"),
    F("half-close", "client FIN after its data: echo comes back, then FIN"),
    P("parallel", "8 TCP tunnels at once on one connection"),
    X("cancel-isolation", "a cancelled CONNECT does not disturb a tunnel beside it nor the next one"),
    R("policy-refusal", "a target the policy forbids is refused with a status + Proxy-Status, not a reset"),
    A("auth-refusal", "a CONNECT without the credential is refused with 401/403/407, not a reset"),
    E("target-refused", "a closed target port gives 5xx + Proxy-Status connection_refused, and a target that never"
            + " answers (full accept queue, dedicated relay with a 700 ms connect timeout) 504 connection_timeout"
            + " (Apple: errno 64 for both)"),
    S("transfer", "1 KB echo, 1 MiB download and 1 MiB upload, SHA-256 checked"),
    L("large-transfer", "50 MiB download through a TCP tunnel, SHA-256 checked"),
    K("relay-killed", "a dedicated relay is closed mid-download: the client must see a reset, closed stream or"
            + " connection error within 10 s, never a hang nor a clean FIN");

    public final String title;
    public final String description;

    Case(String title, String description) {
        this.title = title;
        this.description = description;
    }

    /** Null when this case applies over {@code transport}; otherwise why not (the cell shows "–", not "?"). */
    public String notApplicable(Transport transport) {
        return switch (this) {
            case U -> transport == Transport.H3 ? null
                    : "QUIC DATAGRAM exists only over QUIC: over " + transport.label + " UDP rides in DATAGRAM capsules (case C)";
            case X -> transport == Transport.H1
                    ? "HTTP/1.1 carries one tunnel per connection: there is no tunnel beside it to disturb" : null;
            default -> null;
        };
    }

    /** What this case checks over a TCP transport when that differs from the HTTP/3 description, else null. */
    public String over(Transport transport) {
        return switch (transport) {
            case H3 -> null;
            case H2 -> switch (this) {
                case H -> "TLS + ALPN h2; SETTINGS_ENABLE_CONNECT_PROTOCOL (0x8) = 1";
                case C -> "connect-udp by extended CONNECT (RFC 8441): DATAGRAM capsules on the stream";
                case P -> "8 TCP tunnels at once on one HTTP/2 connection";
                default -> null;
            };
            case H1 -> switch (this) {
                case H -> "TLS + ALPN http/1.1; GET /.well-known/pvd answered 200 with Alt-Svc h3";
                case C -> "connect-udp by Upgrade: connect-udp (RFC 9298 §3.2): DATAGRAM capsules on the connection";
                case P -> "8 TCP tunnels at once (HTTP/1.1: a connection each)";
                default -> null;
            };
        };
    }

    /** A case by its code, any case; an unknown code is named with the known ones. */
    public static Case byCode(String code) {
        String c = code.trim().toUpperCase(java.util.Locale.ROOT);
        for (Case k : values()) {
            if (k.name().equals(c)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown case '" + code.trim() + "'; the cases are "
                + String.join(" ", java.util.Arrays.stream(values()).map(Enum::name).toList()) + " (interop run --help says what each checks)");
    }
}
