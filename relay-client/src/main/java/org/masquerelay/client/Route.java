package org.masquerelay.client;

/**
 * Where a flow goes and why, as the route policy decided it: through the relay chain, or directly.
 *
 * @param relayed true when the flow goes through the relay
 * @param reason  the policy's explanation, e.g. "example.com is matched by matchDomains entry 'example.com'"
 */
public record Route(boolean relayed, String reason) {
    @Override
    public String toString() {
        return (relayed ? "relay" : "direct") + " (" + reason + ")";
    }
}
