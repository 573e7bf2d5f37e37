package org.masquerelay.interop.variants;

import org.masquerelay.interop.matrix.InteropEnv;
import org.masquerelay.tools.apple.AppleOutcome.Kind;
import org.masquerelay.tools.apple.RelayPath;
import org.masquerelay.wire.H3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.KeyStore;

/**
 * Relays that each commit one known mistake, with what Apple's client reports for it and the fix. Every variant is
 * a real server on loopback: {@link MiniH3Server} (raw Kwik streams, so SETTINGS and frames can be wrong on
 * purpose), stock Flupke, {@link MiniH2Server} (Netty's HTTP/2 codec) for the HTTP/2 ones, a correct server with a
 * broken certificate, or our relay behind a UDP dropper ({@link UdpBlockedRelay}), where Apple's client must fall
 * back from HTTP/3 to HTTP/2.
 */
public enum FaultyRelay {
    STOCK_FLUPKE("stock-flupke", "stock Flupke HTTP/3 server: classic CONNECT answered 501", Kind.ECONNREFUSED,
            "handle classic CONNECT (RFC 9114 §4.4: :method CONNECT + :authority, no :scheme/:path) instead of answering 501"),
    RESET_CONNECT("reset-connect", "classic CONNECT answered with RESET_STREAM", Kind.ECONNABORTED,
            "answer CONNECT with a status (2xx, or an error + Proxy-Status); never reset a request you did not start serving"),
    NO_H3_DATAGRAM("no-h3-datagram", "SETTINGS without H3_DATAGRAM (0x33)", Kind.ECONNABORTED,
            "send SETTINGS_H3_DATAGRAM (0x33) = 1"),
    NO_QUIC_DATAGRAM("no-quic-datagram", "QUIC DATAGRAM not offered (no max_datagram_frame_size)", Kind.ECONNABORTED,
            "enable the QUIC DATAGRAM extension (transport parameter max_datagram_frame_size > 0)"),
    HTTP2_SETTINGS("http2-settings", "SETTINGS carry HTTP/2-only id 0x4", Kind.ECONNABORTED,
            "send only HTTP/3 settings; ids 0x2-0x5 are HTTP/2's and forbidden in HTTP/3 (RFC 9114 §7.2.4.1)"),
    DUPLICATE_SETTING("duplicate-setting", "SETTINGS carry id 0x8 twice", Kind.ECONNABORTED,
            "send each setting id once (RFC 9114 §7.2.4)"),
    CLOSES_ON_UNKNOWN_FRAME("closes-on-unknown-frame", "closes the connection on an unknown (GREASE) control frame", Kind.ECONNABORTED,
            "ignore unknown and reserved frame types, settings and stream types (RFC 9114 §9)"),
    CUSTOM_TEMPLATE_404("custom-template-404", "connect-udp only on a custom path; default template answered 404", Kind.ECONNREFUSED,
            "also serve the default template /.well-known/masque/udp/{target_host}/{target_port}/: Apple always uses it"),
    CUSTOM_TEMPLATE_RESET("custom-template-reset", "connect-udp only on a custom path; default template reset", Kind.ECONNABORTED,
            "serve the default template /.well-known/masque/udp/{target_host}/{target_port}/ (and answer unknown paths with 404, not a reset)"),
    REJECTS_OPTIMISTIC_DATA("rejects-optimistic-data", "resets a CONNECT whose DATA arrives before the 2xx", Kind.ECONNABORTED,
            "buffer DATA sent before the 2xx (optimistic data) and forward it once the upstream is open"),
    FIN_AFTER_200("fin-after-200", "sends FIN right after the 200", Kind.ECONNABORTED,
            "keep the CONNECT stream open after the 2xx; it carries the tunnel until either side ends it"),
    CERT_UNTRUSTED_ROOT("cert-untrusted-root", "certificate from a root not installed on the device", Kind.SERVER_CERTIFICATE_INVALID,
            "issue the certificate from the root installed (and fully trusted) on the device, or a public CA"),
    CERT_NO_SAN("cert-no-san", "certificate without subjectAltName (host in CN only)", Kind.SERVER_CERTIFICATE_INVALID,
            "put every host name and IP of the relay URL in subjectAltName; Apple ignores the CN"),
    CERT_IP_WITHOUT_IP_SAN("cert-ip-without-ip-san", "IP URL, certificate has the IP only as a DNS name", Kind.SERVER_CERTIFICATE_INVALID,
            "add an iPAddress subjectAltName for the IP in the relay URL"),
    CERT_EXPIRED("cert-expired", "expired certificate", Kind.SERVER_CERTIFICATE_EXPIRED,
            "renew the certificate (relay-server certs)"),
    CERT_NO_SERVER_AUTH("cert-no-serverauth", "certificate without EKU serverAuth", Kind.SERVER_CERTIFICATE_INVALID,
            "add extendedKeyUsage serverAuth (1.3.6.1.5.5.7.3.1)"),
    CERT_VALIDITY_900_DAYS("cert-validity-900d", "certificate valid for 900 days", Kind.SERVER_CERTIFICATE_INVALID,
            "re-issue for at most 825 days (398 under a public root); relay-server certs uses 397"),

    // Over HTTP/2 (HTTP2RelayURL), on Netty's HTTP/2 codec (MiniH2Server): the same mistakes where HTTP/2 can make them.
    H2_NO_CONNECT_PROTOCOL("h2-no-connect-protocol", "HTTP/2 SETTINGS without SETTINGS_ENABLE_CONNECT_PROTOCOL (0x8)", Kind.ECONNABORTED,
            "send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441) and serve connect-udp by extended CONNECT", RelayPath.H2),
    H2_CONNECT_501("h2-connect-501", "HTTP/2: classic CONNECT answered 501", Kind.ECONNREFUSED,
            "handle classic CONNECT over HTTP/2 (RFC 9113 §8.5: :method CONNECT + :authority, no :scheme/:path)", RelayPath.H2),
    H2_RESET_CONNECT("h2-reset-connect", "HTTP/2: classic CONNECT answered with RST_STREAM", Kind.ECONNABORTED,
            "answer CONNECT with a status (2xx, or an error + Proxy-Status); never reset a request you did not start serving", RelayPath.H2),
    H2_REJECTS_OPTIMISTIC_DATA("h2-rejects-optimistic-data", "HTTP/2: resets a CONNECT whose DATA arrives before the 2xx", Kind.ECONNABORTED,
            "buffer DATA sent before the 2xx (optimistic data) and forward it once the upstream is open", RelayPath.H2),
    H2_FIN_AFTER_200("h2-fin-after-200", "HTTP/2: END_STREAM with the 200", Kind.ECONNABORTED,
            "keep the CONNECT stream open after the 2xx; it carries the tunnel until either side ends it", RelayPath.H2),
    H2_CUSTOM_TEMPLATE_404("h2-custom-template-404", "HTTP/2: connect-udp only on a custom path; default template answered 404", Kind.ECONNREFUSED,
            "also serve the default template /.well-known/masque/udp/{target_host}/{target_port}/: Apple always uses it", RelayPath.H2),
    H2_CUSTOM_TEMPLATE_RESET("h2-custom-template-reset", "HTTP/2: connect-udp only on a custom path; default template reset", Kind.ECONNABORTED,
            "serve the default template (and answer unknown paths with 404, not RST_STREAM)", RelayPath.H2),
    H2_CERT_UNTRUSTED_ROOT("h2-cert-untrusted-root", "HTTP/2: certificate from a root not installed on the device", Kind.SERVER_CERTIFICATE_INVALID,
            "issue the certificate from the root installed (and fully trusted) on the device, or a public CA", RelayPath.H2),

    // A network that drops UDP, with both relay URLs on the same host and port: Apple's client falls back to HTTP/2.
    UDP_BLOCKED_H3_ONLY("udp-blocked-h3-only", "serves HTTP/3 only, and the network drops UDP", Kind.SERVER_UNREACHABLE,
            "serve HTTP2RelayURL too: a TLS-over-TCP listener with HTTP/2 (tcp-listen; ours is on by default, on the HTTP/3 port)",
            RelayPath.H3_THEN_H2),
    UDP_BLOCKED_H2_FALLBACK("udp-blocked-h2-fallback", "none: our relay, and the network drops UDP (HTTP/2 must carry the flows)", Kind.SUCCESS,
            "nothing to fix: the client falls back to HTTP2RelayURL", RelayPath.H3_THEN_H2);

    public final String id;
    public final String mistake;
    public final Kind expected;
    public final String fix;
    /** How the Apple profile reaches this relay. */
    public final RelayPath transport;

    FaultyRelay(String id, String mistake, Kind expected, String fix) {
        this(id, mistake, expected, fix, RelayPath.H3);
    }

    FaultyRelay(String id, String mistake, Kind expected, String fix, RelayPath transport) {
        this.id = id;
        this.mistake = mistake;
        this.expected = expected;
        this.fix = fix;
        this.transport = transport;
    }

    public static FaultyRelay byId(String id) {
        for (FaultyRelay v : values()) {
            if (v.id.equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("no such variant: " + id);
    }

    /**
     * Starts this variant on loopback (port chosen by the system); the UDP-blocked ones are our relay with the settings
     * of {@code env} and its credential.
     */
    public AutoCloseableServer start(InteropEnv env) throws IOException {
        if (this == UDP_BLOCKED_H3_ONLY || this == UDP_BLOCKED_H2_FALLBACK) {
            UdpBlockedRelay s = UdpBlockedRelay.start(env.devSettings(), this == UDP_BLOCKED_H2_FALLBACK);
            return new AutoCloseableServer(s.address(), s, InteropEnv.AUTH_HEADER);
        }
        return start(env.pki);
    }

    /** Starts this variant on loopback (port chosen by the system). */
    public AutoCloseableServer start(TestPki pki) throws IOException {
        InetSocketAddress bind = new InetSocketAddress("127.0.0.1", 0);
        if (transport == RelayPath.H2) {
            MiniH2Server s = MiniH2Server.start(bind, pki.identity(flaw()), TestPki.ALIAS, TestPki.PASSWORD, h2Fault());
            return new AutoCloseableServer(s.address(), s);
        }
        if (transport != RelayPath.H3) {
            throw new IllegalStateException(id + " needs the interop environment: start(InteropEnv)");
        }
        if (this == STOCK_FLUPKE) {
            StockFlupkeServer s = StockFlupkeServer.start(bind, pki.identity(TestPki.Flaw.NONE), TestPki.ALIAS, TestPki.PASSWORD);
            return new AutoCloseableServer(s.address(), s);
        }
        KeyStore identity = pki.identity(flaw());
        byte[] settings = switch (this) {
            case NO_H3_DATAGRAM -> MiniH3Server.settings(H3.SETTINGS_QPACK_MAX_TABLE_CAPACITY, 0, H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, 1);
            case HTTP2_SETTINGS -> MiniH3Server.settings(H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, 1, H3.SETTINGS_H3_DATAGRAM, 1, 0x4, 65535);
            case DUPLICATE_SETTING -> MiniH3Server.settings(H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, 1, H3.SETTINGS_H3_DATAGRAM, 1, H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, 1);
            default -> MiniH3Server.goodSettings();
        };
        MiniH3Server s = MiniH3Server.start(bind, new MiniH3Server.Options(identity, TestPki.ALIAS, TestPki.PASSWORD,
                settings, this != NO_QUIC_DATAGRAM, this == CLOSES_ON_UNKNOWN_FRAME, Behaviours.forVariant(this)));
        return new AutoCloseableServer(s.address(), s);
    }

    private MiniH2Server.Fault h2Fault() {
        return switch (this) {
            case H2_NO_CONNECT_PROTOCOL -> MiniH2Server.Fault.NO_CONNECT_PROTOCOL;
            case H2_CONNECT_501 -> MiniH2Server.Fault.CONNECT_501;
            case H2_RESET_CONNECT -> MiniH2Server.Fault.RESET_CONNECT;
            case H2_REJECTS_OPTIMISTIC_DATA -> MiniH2Server.Fault.REJECTS_OPTIMISTIC_DATA;
            case H2_FIN_AFTER_200 -> MiniH2Server.Fault.FIN_AFTER_200;
            case H2_CUSTOM_TEMPLATE_404 -> MiniH2Server.Fault.CUSTOM_TEMPLATE_404;
            case H2_CUSTOM_TEMPLATE_RESET -> MiniH2Server.Fault.CUSTOM_TEMPLATE_RESET;
            default -> MiniH2Server.Fault.NONE;
        };
    }

    private TestPki.Flaw flaw() {
        return switch (this) {
            case CERT_UNTRUSTED_ROOT, H2_CERT_UNTRUSTED_ROOT -> TestPki.Flaw.UNTRUSTED_ROOT;
            case CERT_NO_SAN -> TestPki.Flaw.NO_SAN;
            case CERT_IP_WITHOUT_IP_SAN -> TestPki.Flaw.DNS_SAN_ONLY;
            case CERT_EXPIRED -> TestPki.Flaw.EXPIRED;
            case CERT_NO_SERVER_AUTH -> TestPki.Flaw.NO_SERVER_AUTH_EKU;
            case CERT_VALIDITY_900_DAYS -> TestPki.Flaw.VALIDITY_900_DAYS;
            default -> TestPki.Flaw.NONE;
        };
    }

    /** A started variant: where it listens, the credential it wants (additionalHTTPHeaderFields), how to stop it. */
    public record AutoCloseableServer(InetSocketAddress address, AutoCloseable server, java.util.Map<String, String> credentials)
            implements AutoCloseable {
        public AutoCloseableServer(InetSocketAddress address, AutoCloseable server) {
            this(address, server, java.util.Map.of());
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (Exception ignored) {
                // Best effort: a test server that fails to stop holds only a loopback port.
            }
        }
    }
}
