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

    public RoutePolicy(DomainPolicy domains) {
        this.domains = domains;
    }

    /** Everything through the relay (the default). */
    public static RoutePolicy relayEverything() {
        return ALL;
    }

    /** @throws IllegalArgumentException naming the list and entry that is not a domain name */
    public static RoutePolicy of(List<String> matchDomains, List<String> excludedDomains, List<String> matchFQDNs, List<String> excludedFQDNs) {
        return new RoutePolicy(new DomainPolicy(matchDomains, excludedDomains, matchFQDNs, excludedFQDNs));
    }

    public Route decide(String host) {
        PolicyDecision decision = domains.decide(host);
        return new Route(decision.allowed(), decision.reason());
    }

    public DomainPolicy domains() {
        return domains;
    }
}
