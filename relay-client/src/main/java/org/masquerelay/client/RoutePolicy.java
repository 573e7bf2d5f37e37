package org.masquerelay.client;

import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.policy.PolicyDecision;

import java.util.List;

/**
 * Which flows go through the relay, with Apple's NERelayManager semantics (core's {@link DomainPolicy}): names in
 * matchDomains/matchFQDNs go through the relay, excluded names and everything else go direct; with both match lists
 * empty everything is relayed. The same lists configure the relay server, so one file can describe both ends.
 */
public final class RoutePolicy {
    private static final RoutePolicy ALL = new RoutePolicy(DomainPolicy.matchAll());

    private final DomainPolicy domains;
    private final NoProxy direct;

    /** The relay's own domain lists (the server's {@code policy} section), read as a client's routing. */
    public RoutePolicy(DomainPolicy domains) {
        this(domains, NoProxy.none());
    }

    private RoutePolicy(DomainPolicy domains, NoProxy direct) {
        this.domains = domains;
        this.direct = direct;
    }

    /** This policy, with the hosts of a NO_PROXY list always reached directly (curl's rule, before any other). */
    public RoutePolicy exceptFor(NoProxy noProxy) {
        return new RoutePolicy(domains, noProxy);
    }

    /** Everything through the relay (the default). */
    public static RoutePolicy relayEverything() {
        return ALL;
    }

    /** @throws IllegalArgumentException naming the list and entry that is not a domain name */
    public static RoutePolicy of(List<String> matchDomains, List<String> excludedDomains, List<String> matchFQDNs, List<String> excludedFQDNs) {
        return new RoutePolicy(new DomainPolicy(matchDomains, excludedDomains, matchFQDNs, excludedFQDNs));
    }

    /** Where a flow to this host goes: direct when NO_PROXY names it, else as the domain lists say. */
    public Route decide(String host) {
        java.util.Optional<String> noProxy = direct.match(host);
        if (noProxy.isPresent()) {
            return new Route(false, host + " is in NO_PROXY (entry '" + noProxy.get() + "')");
        }
        PolicyDecision decision = domains.decide(host);
        return new Route(decision.allowed(), decision.reason());
    }

    /** The domain lists this policy applies. */
    public DomainPolicy domains() {
        return domains;
    }
}
