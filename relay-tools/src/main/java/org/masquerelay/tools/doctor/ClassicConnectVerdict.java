package org.masquerelay.tools.doctor;

import org.masquerelay.tools.apple.AppleOutcome;
import org.masquerelay.tools.apple.ResponseMapping;
import org.masquerelay.tools.doctor.Doctor.Check;
import org.masquerelay.tools.doctor.Doctor.Mark;

/**
 * Whether a relay serves classic CONNECT at all, judged from the answer to one sent without a target of the user's
 * (to the relay's own host and port). "Method not served" (404/405/501, 400 for a request without :scheme/:path, or
 * a reset) is the failure this project exists for: a relay serving only connect-udp, so that every TCP flow of
 * Apple's client fails with 53 or 61. "Served but refused" (403/502 ... with Proxy-Status) is fine: the relay
 * handled the request and said why it would not open that tunnel.
 */
final class ClassicConnectVerdict {
    static final String NOT_SERVED_FIX = "serve classic CONNECT (:method CONNECT + :authority, no :scheme/:path; RFC 9114 §4.4,"
            + " RFC 9113 §8.5) beside connect-udp: Apple's client sends every TCP flow that way";

    private ClassicConnectVerdict() {
    }

    /**
     * @param name        the checklist line's name
     * @param target      the authority the CONNECT asked for
     * @param status      the response's status, or null when none came (reset, closed, timed out)
     * @param proxyStatus its Proxy-Status, or null
     * @param failure     what happened instead of a response (when status is null)
     */
    static Check judge(String name, String target, Integer status, String proxyStatus, AppleOutcome failure) {
        String to = target + " (no --tcp-target: the relay's own address)";
        if (status == null) {
            return new Check(name, Mark.FAIL, to + ": method not served: " + failure.detail(), failure.kind().label(),
                    NOT_SERVED_FIX + "; answer what you refuse with a status and Proxy-Status, never a reset");
        }
        AppleOutcome apple = ResponseMapping.map(status, proxyStatus);
        String answered = "answered " + status + (proxyStatus == null ? "" : " with Proxy-Status " + proxyStatus);
        if (status >= 200 && status < 300) {
            return new Check(name, Mark.PASS, to + ": served, " + answered + " (give --tcp-target to try a tunnel end to end)", null, null);
        }
        return switch (status) {
            case 400, 404, 405, 501 -> new Check(name, Mark.FAIL, to + ": method not served, " + answered, apple.kind().label(), NOT_SERVED_FIX);
            case 401, 407 -> new Check(name, Mark.FAIL, to + ": " + answered + ": the relay wants a credential", apple.kind().label(),
                    "pass it with --proxy-header (on the device: additionalHTTPHeaderFields)");
            default -> proxyStatus != null
                    ? new Check(name, Mark.PASS, to + ": served but refused, " + answered + " (fine: the relay handles classic CONNECT"
                            + " and says why; give --tcp-target to try a tunnel end to end)", null, null)
                    : new Check(name, Mark.WARN, to + ": " + answered + " without Proxy-Status: cannot tell refused from not served",
                            apple.kind().label(), "answer refusals with Proxy-Status (RFC 9209), and give --tcp-target to try a tunnel");
        };
    }
}
