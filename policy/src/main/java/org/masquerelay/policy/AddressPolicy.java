package org.masquerelay.policy;

import org.masquerelay.wire.IpLiteral;

import java.net.InetAddress;
import java.util.List;

/**
 * Decides, after DNS, whether the relay may connect to a resolved address and port.
 *
 * <p>Rules are tried in order and the first that matches decides; reasons name a rule by its 0-based index, as the
 * configuration file's {@code policy.addresses[i]} does. When none matches, addresses that lead into the
 * relay's own host or networks (loopback, private, link-local, cloud metadata, multicast, ...) are denied and every
 * other address is allowed, so the relay is never an open door into its own network by default.
 *
 * <p>IPv4-mapped IPv6 addresses ({@code ::ffff:10.0.0.1}) are treated exactly as their IPv4 address. For NAT64, 6to4,
 * Teredo and similar forms the rules are tried on the IPv6 address first, then on the IPv4 address it carries, and the
 * built-in denials apply to both: the carried address is where the packets end up.
 */
public final class AddressPolicy {

    private static final AddressPolicy DEFAULTS = new AddressPolicy(List.of());
    private static final AddressPolicy LOOPBACK_ONLY = new AddressPolicy(List.of(
            AddressRule.allow("127.0.0.0/8"),
            AddressRule.allow("::1"),
            AddressRule.deny("0.0.0.0/0"),
            AddressRule.deny("::/0")));

    private final List<AddressRule> rules;

    public AddressPolicy(List<AddressRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** No rules: public addresses allowed, special ranges denied. */
    public static AddressPolicy defaults() {
        return DEFAULTS;
    }

    /** Loopback on every port and nothing else: for development, where targets run on the same machine. */
    public static AddressPolicy loopbackOnly() {
        return LOOPBACK_ONLY;
    }

    public List<AddressRule> rules() {
        return rules;
    }

    public PolicyDecision decide(InetAddress address, int port) {
        if (port < 1 || port > 65535) {
            return PolicyDecision.denyAddress("port " + port + " is not a valid destination port (1..65535)");
        }
        byte[] bytes = address.getAddress();
        byte[] mapped = EmbeddedIpv4.mapped(bytes);
        if (mapped != null) {
            bytes = mapped;
        }
        String shown = IpLiteral.format(bytes) + " port " + port;

        PolicyDecision byRule = firstRule(bytes, port, shown, "");
        if (byRule != null) {
            return byRule;
        }
        EmbeddedIpv4.Found embedded = EmbeddedIpv4.find(bytes);
        if (embedded != null) {
            String via = " (" + IpLiteral.format(embedded.ipv4()) + " is carried inside " + IpLiteral.format(bytes)
                    + " by " + embedded.form() + ")";
            byRule = firstRule(embedded.ipv4(), port, shown, via);
            if (byRule != null) {
                return byRule;
            }
        }

        SpecialRanges.Range special = SpecialRanges.find(bytes);
        if (special != null) {
            return deniedByDefault(shown, special, "");
        }
        if (embedded != null) {
            special = SpecialRanges.find(embedded.ipv4());
            if (special != null) {
                return deniedByDefault(shown, special, " because it carries " + IpLiteral.format(embedded.ipv4())
                        + " (" + embedded.form() + ")");
            }
        }
        return PolicyDecision.allow(shown + " is a public address and no address rule matched");
    }

    private PolicyDecision firstRule(byte[] address, int port, String shown, String via) {
        for (int i = 0; i < rules.size(); i++) {
            AddressRule rule = rules.get(i);
            if (rule.matches(address, port)) {
                String reason = shown + (rule.action() == AddressRule.Action.ALLOW ? " allowed" : " denied")
                        + " by address rule [" + i + "] (" + rule + ")" + via;
                return rule.action() == AddressRule.Action.ALLOW
                        ? PolicyDecision.allow(reason) : PolicyDecision.denyAddress(reason);
            }
        }
        return null;
    }

    private static PolicyDecision deniedByDefault(String shown, SpecialRanges.Range range, String why) {
        return PolicyDecision.denyAddress(shown + " is denied by default" + why + ": " + range.cidr() + " is "
                + range.description() + "; add an address rule to allow it");
    }

    @Override
    public String toString() {
        return "AddressPolicy" + rules;
    }
}
