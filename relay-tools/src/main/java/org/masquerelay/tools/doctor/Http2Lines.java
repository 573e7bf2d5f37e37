package org.masquerelay.tools.doctor;

import org.masquerelay.tools.apple.AppleOutcome;
import org.masquerelay.tools.apple.AppleProbe;
import org.masquerelay.tools.apple.ResponseMapping;
import org.masquerelay.tools.doctor.Doctor.Check;
import org.masquerelay.tools.doctor.Doctor.Mark;
import org.masquerelay.tools.doctor.Doctor.Request;

import org.masquerelay.wire.Capsule;
import org.masquerelay.wire.CapsuleReader;
import org.masquerelay.wire.CapsuleType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The checklist lines of the HTTP/2 path ({@code HTTP2RelayURL}, same host and port over TCP): Apple's client falls
 * back to it when QUIC cannot get through, and sends classic CONNECT over HTTP/2 for every TCP flow there.
 */
final class Http2Lines {
    private static final String TLS = "HTTP/2 TLS, ALPN h2";
    private static final String SETTINGS = "HTTP/2 SETTINGS 0x8";
    private static final String CONNECT = "HTTP/2 classic CONNECT";
    private static final String CONNECT_UDP = "HTTP/2 connect-udp";

    private Http2Lines() {
    }

    static List<Check> examine(Request request) {
        List<Check> checks = new ArrayList<>();
        String where = "TCP " + Doctor.selfAuthority(request);
        try (Http2Probe probe = new Http2Probe(Duration.ofSeconds(5))) {
            String alpn;
            try {
                alpn = probe.connect(request.host(), request.port(), request.root());
            } catch (TimeoutException e) {
                checks.add(new Check(TLS, Mark.FAIL, where + ": connected, but the TLS handshake did not finish within 5 s",
                        AppleOutcome.Kind.SERVER_UNREACHABLE.label() + " (HTTP/2 fallback)", "serve TLS 1.3 with ALPN h2 on the relay's TCP port"));
                return checks;
            } catch (ConnectException e) {
                checks.add(new Check(TLS, Mark.WARN, where + ": no TCP listener (" + e.getMessage() + ")",
                        null, "turn the relay's TCP listener on (tcp-listen) so that devices on networks that block UDP still have a relay"
                        + " (HTTP2RelayURL); without it, leave HTTP2RelayURL out of the devices' configuration"));
                return checks;
            } catch (Exception e) {
                checks.add(new Check(TLS, Mark.FAIL, where + ": TLS failed: " + e.getMessage(), AppleOutcome.Kind.SERVER_UNREACHABLE.label()
                        + " (HTTP/2 fallback)", "serve TLS 1.3 with the same certificate on TCP as on UDP"));
                return checks;
            }
            if (!"h2".equals(alpn)) {
                checks.add(new Check(TLS, Mark.FAIL, where + ": ALPN " + (alpn == null ? "none" : alpn) + " instead of h2",
                        AppleOutcome.Kind.SERVER_UNREACHABLE.label() + " (HTTP/2 fallback)", "offer ALPN h2 on the TCP listener"));
                return checks;
            }
            checks.add(new Check(TLS, Mark.PASS, where + ": TLS, ALPN h2", null, null));
            Long connectProtocol = probe.settings().map(s -> s.get(Http2Probe.SETTINGS_ENABLE_CONNECT_PROTOCOL)).orElse(null);
            checks.add(connectProtocol != null && connectProtocol == 1L
                    ? new Check(SETTINGS, Mark.PASS, "ENABLE_CONNECT_PROTOCOL = 1", null, null)
                    : new Check(SETTINGS, Mark.FAIL, "ENABLE_CONNECT_PROTOCOL missing or not 1", AppleOutcome.Kind.ECONNABORTED.label()
                    + " (UDP flows over HTTP/2)", "send SETTINGS_ENABLE_CONNECT_PROTOCOL (0x8) = 1 (RFC 8441) for connect-udp over HTTP/2"));
            checks.add(connectLine(probe, request));
            checks.add(connectUdpLine(probe, request, connectProtocol != null && connectProtocol == 1L));
        }
        return checks;
    }

    /** connect-udp as Apple sends it over HTTP/2: extended CONNECT, the UDP payload in a DATAGRAM capsule. */
    private static Check connectUdpLine(Http2Probe probe, Request request, boolean extendedConnect) {
        if (request.udpTarget() == null) {
            return new Check(CONNECT_UDP, Mark.SKIP, "no --udp-target given", null, null);
        }
        if (!extendedConnect) {
            return new Check(CONNECT_UDP, Mark.SKIP, "not tried: the relay does not allow extended CONNECT (see SETTINGS 0x8)", null, null);
        }
        String target = request.udpTarget();
        int colon = target.lastIndexOf(':');
        int port;
        try {
            port = colon <= 0 ? -1 : Integer.parseInt(target.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            return new Check(CONNECT_UDP, Mark.FAIL, "--udp-target must be host:port, got " + target, null, "give host:port");
        }
        String host = target.substring(0, colon).replace("[", "").replace("]", "");
        Http2Probe.Answer answer = probe.connectUdp(Doctor.selfAuthority(request), host, port, request.headers(), AppleProbe.QUIC_INITIAL_LIKE);
        if (answer.status() == null) {
            return new Check(CONNECT_UDP, Mark.FAIL, target + ": " + answer.failure(), AppleOutcome.Kind.ECONNABORTED.label(),
                    "serve connect-udp by extended CONNECT over HTTP/2 (RFC 8441, RFC 9298) on the default template; answer with a status, never a reset");
        }
        AppleOutcome outcome = ResponseMapping.map(answer.status(), answer.proxyStatus());
        if (!outcome.isSuccess()) {
            return new Check(CONNECT_UDP, Mark.FAIL, target + ": " + outcome.detail(), outcome.kind().label(),
                    Doctor.refusedByAuth(String.valueOf(answer.status())).orElse(Doctor.tcpFix(outcome)));
        }
        boolean capsules = "?1".equals(answer.capsuleProtocol());
        String detail = target + ": " + answer.status() + (capsules ? " with capsule-protocol: ?1" : " WITHOUT capsule-protocol: ?1")
                + answer.firstBytes().map(Http2Lines::echo).orElse(", no datagram came back (fine unless the target echoes)");
        return capsules ? new Check(CONNECT_UDP, Mark.PASS, detail, null, null)
                : new Check(CONNECT_UDP, Mark.WARN, detail, null, "send capsule-protocol: ?1 on the 2xx (RFC 9298 §3.5)");
    }

    /** What came back on the tunnel: a DATAGRAM capsule (type 0x00), or something Apple's client could not use. */
    private static String echo(byte[] first) {
        try {
            Capsule capsule = new CapsuleReader(new ByteArrayInputStream(first), first.length).read();
            return capsule != null && capsule.type() == CapsuleType.DATAGRAM
                    ? ", datagram echoed in a DATAGRAM capsule" : ", a capsule of type " + (capsule == null ? "none" : capsule.type()) + " came back";
        } catch (IOException e) {
            return ", the first bytes back are not a whole capsule (" + e.getMessage() + ")";
        }
    }

    private static Check connectLine(Http2Probe probe, Request request) {
        String target = request.tcpTarget() != null ? request.tcpTarget() : Doctor.selfAuthority(request);
        Http2Probe.Answer answer = probe.connectTcp(target, request.headers(), AppleProbe.CLIENT_HELLO_LIKE);
        AppleOutcome outcome = answer.status() == null ? AppleOutcome.aborted(answer.failure())
                : ResponseMapping.map(answer.status(), answer.proxyStatus());
        if (request.tcpTarget() == null) {
            return ClassicConnectVerdict.judge(CONNECT, target, answer.status(), answer.proxyStatus(), outcome);
        }
        if (answer.status() == null) {
            return new Check(CONNECT, Mark.FAIL, target + ": " + answer.failure(), outcome.kind().label(),
                    ClassicConnectVerdict.NOT_SERVED_FIX + "; answer with a status, never a reset; accept DATA before the 2xx (optimistic data)");
        }
        if (!outcome.isSuccess()) {
            return new Check(CONNECT, Mark.FAIL, target + ": " + outcome.detail(), outcome.kind().label(),
                    Doctor.refusedByAuth(String.valueOf(answer.status())).orElse(Doctor.tcpFix(outcome)));
        }
        return new Check(CONNECT, Mark.PASS, target + ": " + answer.status() + ", optimistic data accepted, "
                + answer.firstBytes().map(b -> "tunnel carried bytes back (0x" + Integer.toHexString(b[0] & 0xff) + "…)")
                .orElse("tunnel open (the target sent nothing back within 1 s)"), null, null);
    }
}
