package org.masquerelay.policy;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The relay's whole destination policy: names are checked before DNS ({@link #checkName}), then every resolved address
 * is checked before connecting ({@link #checkAddress}), so a permitted name that resolves to a private address (DNS
 * rebinding) is still refused.
 *
 * @param domains which names may be requested
 * @param addresses which resolved addresses and ports may be reached
 */
public record RelayPolicy(DomainPolicy domains, AddressPolicy addresses) {

    public RelayPolicy {
        Objects.requireNonNull(domains, "domains");
        Objects.requireNonNull(addresses, "addresses");
    }

    /** Every name; public addresses only. */
    public static RelayPolicy defaults() {
        return new RelayPolicy(DomainPolicy.matchAll(), AddressPolicy.defaults());
    }

    /** The requested host (a name or an IP literal) against the domain policy. */
    public PolicyDecision checkName(String host) {
        return domains.decide(host);
    }

    /** One resolved address and the destination port against the address policy. */
    public PolicyDecision checkAddress(InetAddress address, int port) {
        return addresses.decide(address, port);
    }
}
