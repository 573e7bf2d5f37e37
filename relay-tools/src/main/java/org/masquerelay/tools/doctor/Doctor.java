package org.masquerelay.tools.doctor;

import org.masquerelay.server.certs.CertificateCheck;
import org.masquerelay.tools.apple.AppleOutcome;
import org.masquerelay.tools.apple.AppleProbe;
import org.masquerelay.tools.apple.AppleProfileClient;
import org.masquerelay.tools.apple.Streams;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Examines a live relay the way Apple's client uses it and explains each failure: what the user would see (the errno
 * or NERelay error) and the concrete fix.
 */
public final class Doctor {

    public enum Mark { PASS("✓"), FAIL("✕"), WARN("!"), SKIP("-");
        final String symbol;

        Mark(String symbol) {
            this.symbol = symbol;
        }
    }

    /** One line of the checklist. */
    public record Check(String name, Mark mark, String detail, String appleReports, String fix) {
    }

    public record Request(String host, int port, X509Certificate root, Map<String, String> headers, String tcpTarget,
                          String udpTarget) {
        public static Request parse(URI url, Path ca, List<String> headerLines, String tcpTarget, String udpTarget) throws IOException {
            if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("the relay URL must be https://host[:port]/ (Apple's client only uses https), got " + url);
            }
            String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
            X509Certificate root = null;
            if (ca != null) {
                try (InputStream in = Files.newInputStream(ca)) {
                    root = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
                } catch (java.security.cert.CertificateException e) {
                    throw new IOException("cannot read the CA certificate " + ca + ": " + e.getMessage(), e);
                }
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("--proxy-header must be 'name: value', got '" + line + "'");
                }
                headers.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).trim());
            }
            return new Request(host, url.getPort() < 0 ? 443 : url.getPort(), root, headers, tcpTarget, udpTarget);
        }
    }

    public record Report(Request request, List<Check> checks) {
        public boolean allPassed() {
            return checks.stream().noneMatch(c -> c.mark() == Mark.FAIL);
        }

        public void print(PrintStream out) {
            out.println("relay https://" + request.host() + ":" + request.port() + "/ as Apple's relay client sees it:");
            for (Check c : checks) {
                out.printf("  %s %-22s %s%n", c.mark().symbol, c.name(), c.detail());
                if (c.mark() == Mark.FAIL || c.mark() == Mark.WARN) {
                    if (c.appleReports() != null) {
                        out.printf("    %-22s %s%n", "Apple reports:", c.appleReports());
                    }
                    out.printf("    %-22s %s%n", "fix:", c.fix());
                }
            }
            out.println(allPassed() ? "No problem found." : "Apple's client would fail with this relay; fix the ✕ lines from the top.");
        }
    }

    private Doctor() {
    }

    public static Report examine(Request request) {
        List<Check> checks = new ArrayList<>();
        AppleProfileClient.Config config = new AppleProfileClient.Config(request.host(), request.port(), request.root(),
                request.headers(), Duration.ofSeconds(5), true, null);
        try (AppleProfileClient client = new AppleProfileClient(config)) {
            AppleOutcome handshake = client.connect();
            certificateLines(request, client, handshake, checks);
            if (!handshake.isSuccess()) {
                if (!handshake.kind().isCertificateError()) {
                    checks.add(0, new Check("QUIC/TLS/ALPN h3", Mark.FAIL, handshake.detail(), handshake.kind().label(),
                            "check that the relay listens on UDP " + request.port() + ", speaks QUIC v1 with TLS 1.3 and ALPN h3, and that no firewall drops UDP"));
                }
                checks.addAll(Http2Lines.examine(request));
                return new Report(request, checks);
            }
            checks.add(0, new Check("QUIC/TLS/ALPN h3", Mark.PASS, "QUIC v1, TLS 1.3, ALPN h3", null, null));
            settingsLines(client, checks);
            if (request.tcpTarget() != null) {
                checks.add(tcpLine(client, request.tcpTarget()));
            } else {
                checks.add(selfConnectLine(client, request));
            }
            if (request.udpTarget() != null) {
                checks.add(udpLine(client, request.udpTarget()));
            } else {
                checks.add(new Check("connect-udp", Mark.SKIP, "no --udp-target given", null, null));
            }
            checks.add(pvdLine(client));
            checks.addAll(Http2Lines.examine(request));
            return new Report(request, checks);
        }
    }

    private static void certificateLines(Request request, AppleProfileClient client, AppleOutcome handshake, List<Check> checks) {
        List<X509Certificate> chain = client.trust().presentedChain();
        if (chain.isEmpty()) {
            checks.add(new Check("certificate", Mark.SKIP, "no certificate received", null, null));
            return;
        }
        List<CertificateCheck.Problem> problems = CertificateCheck.check(chain, request.host(), request.root());
        String label = handshake.kind().isCertificateError() ? handshake.kind().label() : null;
        if (problems.isEmpty() && !handshake.kind().isCertificateError()) {
            checks.add(new Check("certificate", Mark.PASS, "meets Apple's TLS rules; leaf "
                    + chain.get(0).getSubjectX500Principal().getName() + ", valid until " + chain.get(0).getNotAfter().toInstant(), null, null));
            return;
        }
        for (CertificateCheck.Problem p : problems) {
            boolean onlyPublicRule = p.kind() == CertificateCheck.Kind.VALIDITY_OVER_398_DAYS && request.root() != null;
            checks.add(new Check("certificate", onlyPublicRule ? Mark.WARN : Mark.FAIL, p.message(), onlyPublicRule ? null : label,
                    certificateFix(p.kind())));
        }
        if (problems.isEmpty()) {
            checks.add(new Check("certificate", Mark.FAIL, handshake.detail(), label,
                    request.root() == null ? "install the relay's root on the device (and pass it here with --ca), or use a public CA"
                            : "issue the relay certificate from the CA given with --ca"));
        }
    }

    private static String certificateFix(CertificateCheck.Kind kind) {
        return switch (kind) {
            case HOST_NOT_IN_SAN -> "add the relay host name to subjectAltName (relay-server certs --host NAME)";
            case IP_HOST_WITHOUT_IP_SAN -> "add the IP of the relay URL as an iPAddress subjectAltName";
            case MISSING_SERVER_AUTH_EKU -> "add extendedKeyUsage serverAuth";
            case VALIDITY_OVER_398_DAYS, VALIDITY_OVER_825_DAYS -> "re-issue for 397 days (relay-server certs does)";
            case EXPIRED -> "renew the certificate";
            case NOT_YET_VALID -> "fix the clock of the machine that issued it, or wait";
            case RSA_KEY_TOO_SMALL -> "use RSA 2048+ or ECDSA P-256";
            case WEAK_SIGNATURE -> "re-issue with a SHA-256 signature";
            case CHAIN_BROKEN -> "serve the chain leaf first, each certificate followed by its issuer";
            case NOT_SIGNED_BY_CA -> "issue from the root installed on the devices, or install the relay's root";
        };
    }

    private static void settingsLines(AppleProfileClient client, List<Check> checks) {
        Map<Long, Long> peer = client.connection().peerSettings(5000);
        boolean open = client.connection().isOpen();
        if (!open || peer.isEmpty()) {
            checks.add(new Check("SETTINGS", Mark.FAIL, open ? "no SETTINGS frame within 5 s" : "the relay closed the connection (bad or duplicated SETTINGS, or a GREASE frame it did not ignore)",
                    AppleOutcome.Kind.ECONNABORTED.label(), "send one SETTINGS frame first on the control stream, each id once, and ignore unknown frame types (RFC 9114 §7.2.4, §9)"));
            return;
        }
        List<Long> http2 = peer.keySet().stream().filter(H3::isHttp2OnlySetting).toList();
        checks.add(http2.isEmpty() ? new Check("SETTINGS: HTTP/3 only", Mark.PASS, "no HTTP/2-only ids", null, null)
                : new Check("SETTINGS: HTTP/3 only", Mark.FAIL, "HTTP/2-only ids " + http2, AppleOutcome.Kind.ECONNABORTED.label(),
                "remove settings 0x2-0x5; they are HTTP/2's and forbidden in HTTP/3"));
        checks.add(setting(peer, H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, "ENABLE_CONNECT_PROTOCOL", "send SETTINGS_ENABLE_CONNECT_PROTOCOL (0x08) = 1 (RFC 9220)"));
        checks.add(setting(peer, H3.SETTINGS_H3_DATAGRAM, "H3_DATAGRAM", "send SETTINGS_H3_DATAGRAM (0x33) = 1 (RFC 9297)"));
        int max = client.connection().maxDatagramSize();
        checks.add(max > 0 ? new Check("QUIC DATAGRAM", Mark.PASS, "negotiated, " + max + " bytes per datagram", null, null)
                : new Check("QUIC DATAGRAM", Mark.FAIL, "not negotiated", AppleOutcome.Kind.ECONNABORTED.label() + " (UDP flows)",
                "enable the QUIC DATAGRAM extension (max_datagram_frame_size > 0)"));
    }

    private static Check setting(Map<Long, Long> peer, long id, String name, String fix) {
        String label = "SETTINGS: " + name;
        return peer.getOrDefault(id, 0L) == 1L ? new Check(label, Mark.PASS, "0x" + Long.toHexString(id) + " = 1", null, null)
                : new Check(label, Mark.FAIL, "0x" + Long.toHexString(id) + " missing or not 1", AppleOutcome.Kind.ECONNABORTED.label() + " (UDP flows)", fix);
    }

    private static Check tcpLine(AppleProfileClient client, String target) {
        String name = "classic CONNECT";
        AppleProfileClient.Flow flow = client.openTcp(target, AppleProbe.CLIENT_HELLO_LIKE);
        if (!flow.ok()) {
            return new Check(name, Mark.FAIL, target + ": " + flow.outcome().detail(), flow.outcome().kind().label(),
                    refusedByAuth(flow).orElse(tcpFix(flow.outcome())));
        }
        try {
            byte[] first = Streams.readExactly(flow.stream().body(), 1, Duration.ofSeconds(1));
            flow.stream().reset(H3.H3_REQUEST_CANCELLED);
            return new Check(name, Mark.PASS, target + ": 2xx, optimistic data accepted, tunnel carried bytes back (0x"
                    + Integer.toHexString(first[0] & 0xff) + "…)", null, null);
        } catch (Streams.EndOfStream e) {
            return new Check(name, Mark.FAIL, target + ": the relay ended the stream (FIN) right after its 2xx",
                    AppleOutcome.Kind.ECONNABORTED.label(), "keep the CONNECT stream open after the 2xx (unless the target itself closed at once)");
        } catch (SocketTimeoutException e) {
            flow.stream().reset(H3.H3_REQUEST_CANCELLED);
            return new Check(name, Mark.PASS, target + ": 2xx, tunnel open (the target sent nothing back within 1 s)", null, null);
        } catch (IOException e) {
            return new Check(name, Mark.FAIL, target + ": stream reset after the 2xx: " + e.getMessage(), AppleOutcome.Kind.ECONNABORTED.label(),
                    "buffer optimistic data (bytes before the 2xx) and forward it; never reset a tunnel that is in use");
        }
    }

    /**
     * Without a target of the user's, a classic CONNECT to the relay's own address still shows whether the method is
     * served at all: "No problem found" must never hide a relay that serves only connect-udp.
     */
    private static Check selfConnectLine(AppleProfileClient client, Request request) {
        String self = selfAuthority(request);
        AppleProfileClient.Flow flow = client.openTcp(self, AppleProbe.CLIENT_HELLO_LIKE);
        if (flow.stream() != null) {
            flow.stream().reset(H3.H3_REQUEST_CANCELLED);
        }
        String status = flow.response() == null ? null : flow.response().getOrNull(":status");
        return ClassicConnectVerdict.judge("classic CONNECT", self, status == null ? null : Integer.valueOf(status),
                flow.response() == null ? null : flow.response().getOrNull("proxy-status"), flow.outcome());
    }

    static String selfAuthority(Request request) {
        return (request.host().contains(":") ? "[" + request.host() + "]" : request.host()) + ":" + request.port();
    }

    /** 401/403/407: the credential, not the protocol, is what to fix. */
    private static java.util.Optional<String> refusedByAuth(AppleProfileClient.Flow flow) {
        return refusedByAuth(flow.response() == null ? "" : String.valueOf(flow.response().getOrNull(":status")));
    }

    static java.util.Optional<String> refusedByAuth(String status) {
        return switch (status) {
            case "401", "407" -> java.util.Optional.of("the relay wants a credential: pass it with --proxy-header (on the device: additionalHTTPHeaderFields)");
            case "403" -> java.util.Optional.of("the relay refused this target or client: check its policy (match/excluded domains, address rules) and the credential");
            default -> java.util.Optional.empty();
        };
    }

    static String tcpFix(AppleOutcome outcome) {
        return switch (outcome.kind()) {
            case ECONNABORTED -> "handle classic CONNECT (:method CONNECT + :authority, no :scheme/:path) with a status, never a reset; accept DATA before the 2xx (optimistic data)";
            case ECONNREFUSED -> "a 4xx/501 here means classic CONNECT is not served or not allowed: serve it (RFC 9114 §4.4), check the policy and credentials (--header)";
            case EHOSTDOWN, EHOSTUNREACH -> "the relay could not reach the target: check --tcp-target, the relay's DNS and outbound network";
            case ETIMEDOUT -> "the relay did not answer the CONNECT in time: check its upstream connect timeout and logs";
            default -> "see the relay's log for this request";
        };
    }

    private static Check udpLine(AppleProfileClient client, String target) {
        String name = "connect-udp";
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            return new Check(name, Mark.FAIL, "--udp-target must be host:port", null, "give host:port");
        }
        String host = target.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(target.substring(colon + 1));
        AppleProfileClient.Flow flow = client.openUdp(host, port);
        if (!flow.ok()) {
            String fix = flow.outcome().kind() == AppleOutcome.Kind.ECONNABORTED || flow.outcome().kind() == AppleOutcome.Kind.ECONNREFUSED
                    ? "serve connect-udp on the default template /.well-known/masque/udp/{target_host}/{target_port}/ (Apple ignores the URL path); answer unknown paths with 404, not a reset"
                    : tcpFix(flow.outcome());
            return new Check(name, Mark.FAIL, target + ": " + flow.outcome().detail(), flow.outcome().kind().label(),
                    refusedByAuth(flow).orElse(fix));
        }
        boolean capsule = "?1".equals(flow.response().getOrNull("capsule-protocol"));
        var back = client.exchangeDatagram(flow.stream(), AppleProbe.QUIC_INITIAL_LIKE, 2);
        client.closeUdp(flow.stream());
        String detail = target + ": 2xx" + (capsule ? " with capsule-protocol: ?1" : " WITHOUT capsule-protocol: ?1")
                + (back.isPresent() ? ", datagram echoed" : ", no datagram came back (fine unless the target echoes)");
        return capsule ? new Check(name, Mark.PASS, detail, null, null)
                : new Check(name, Mark.WARN, detail, null, "send capsule-protocol: ?1 on the 2xx (RFC 9298 §3.5)");
    }

    private static Check pvdLine(AppleProfileClient client) {
        HttpFields get = HttpFields.builder().add(":method", "GET").add(":scheme", "https")
                .add(":authority", "relay").add(":path", "/.well-known/pvd").build();
        AppleProfileClient.Flow flow = client.request(get);
        String status = flow.response() == null ? null : flow.response().getOrNull(":status");
        if ("200".equals(status) || "404".equals(status)) {
            if (flow.stream() != null) {
                flow.stream().reset(H3.H3_REQUEST_CANCELLED);
            }
            return new Check("GET /.well-known/pvd", Mark.PASS, "answered " + status, null, null);
        }
        return new Check("GET /.well-known/pvd", Mark.WARN, status == null ? flow.outcome().detail() : "answered " + status, null,
                "answer GET /.well-known/pvd promptly with a small application/pvd+json or 404");
    }
}
