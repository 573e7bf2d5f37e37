package org.masquerelay.policy;

import java.util.Objects;

/**
 * The outcome of a policy check, with a reason an operator can read in a log line.
 *
 * @param allowed    whether the tunnel may proceed
 * @param reason     why, e.g. "excluded by excludedDomains entry 'corp.example.com'"
 * @param proxyError for a denial, the RFC 9209 Proxy-Status error token to send; null when allowed
 */
public record PolicyDecision(boolean allowed, String reason, String proxyError) {

    /** Proxy-Status error for a destination address the policy forbids (RFC 9209 §2.3.3). */
    public static final String DESTINATION_IP_PROHIBITED = "destination_ip_prohibited";
    /** Proxy-Status error for a request the proxy refuses by configuration, here a name the domain policy denies. */
    public static final String HTTP_REQUEST_DENIED = "http_request_denied";

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
        return new PolicyDecision(false, reason, HTTP_REQUEST_DENIED);
    }

    /** A denial because of the destination address or port (address policy, after DNS). */
    public static PolicyDecision denyAddress(String reason) {
        return new PolicyDecision(false, reason, DESTINATION_IP_PROHIBITED);
    }
}
