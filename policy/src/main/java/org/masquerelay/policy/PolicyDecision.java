package org.masquerelay.policy;

import org.masquerelay.wire.ProxyError;
import org.masquerelay.wire.Refusal;

import java.util.Objects;

/**
 * The outcome of a policy check, with a reason an operator can read in a log line.
 *
 * @param allowed    whether the tunnel may proceed
 * @param reason     why, e.g. "excluded by excludedDomains entry 'corp.example.com'"
 * @param proxyError for a denial, the RFC 9209 Proxy-Status error type to answer with; null when allowed:
 *                   destination_ip_prohibited for an address (§2.3.5), http_request_denied for a name the domain
 *                   policy refuses by configuration (§2.3.17)
 */
public record PolicyDecision(boolean allowed, String reason, ProxyError proxyError) {

    public PolicyDecision {
        Objects.requireNonNull(reason, "reason");
        if (allowed && proxyError != null) {
            throw new IllegalArgumentException("an allowed decision carries no Proxy-Status error");
        }
        if (!allowed && proxyError == null) {
            throw new IllegalArgumentException("a denial needs a Proxy-Status error token");
        }
    }

    public static PolicyDecision allow(String reason) {
        return new PolicyDecision(true, reason, null);
    }

    /** A denial because of the destination name (domain policy). */
    public static PolicyDecision denyName(String reason) {
        return new PolicyDecision(false, reason, ProxyError.HTTP_REQUEST_DENIED);
    }

    /** A denial because of the destination address or port (address policy, after DNS). */
    public static PolicyDecision denyAddress(String reason) {
        return new PolicyDecision(false, reason, ProxyError.DESTINATION_IP_PROHIBITED);
    }

    /** A denial as the relay's answer: 403 (RFC 9209: the proxy refuses by policy) with this error and reason. */
    public Refusal refusal() {
        if (allowed) {
            throw new IllegalStateException("an allowed decision is no refusal");
        }
        return new Refusal(403, proxyError, reason);
    }
}
