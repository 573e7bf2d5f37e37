package org.masquerelay.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.masquerelay.policy.AddressPolicy;
import org.masquerelay.policy.AddressRule;
import org.masquerelay.policy.Cidr;
import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.policy.PortRange;
import org.masquerelay.policy.RelayPolicy;

/** The {@code policy} section, turned into the core {@link RelayPolicy}. */
final class PolicyReader {

    static final Set<String> KEYS = Set.of("match-domains", "excluded-domains", "match-fqdns", "excluded-fqdns",
            "addresses");
    private static final Set<String> RULE_KEYS = Set.of("allow", "deny", "ports");

    private PolicyReader() {
    }

    static RelayPolicy read(YamlSection s) {
        s.allowOnly(KEYS);
        DomainPolicy domains = new DomainPolicy(names(s, "match-domains"), names(s, "excluded-domains"),
                names(s, "match-fqdns"), names(s, "excluded-fqdns"));
        List<Object> items = s.list("addresses");
        List<AddressRule> rules = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            rules.add(rule(YamlSection.listItem(s.keyPath("addresses") + "[" + i + "]", items.get(i))));
        }
        return new RelayPolicy(domains, new AddressPolicy(rules));
    }

    /** Each entry is checked here so the error names its position, e.g. policy.match-domains[2]. */
    private static List<String> names(YamlSection s, String key) {
        List<String> entries = s.stringList(key);
        List<String> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            try {
                out.add(DomainPolicy.canonicalEntry(entries.get(i)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(s.keyPath(key) + "[" + i + "]", e.getMessage(), e);
            }
        }
        return out;
    }

    private static AddressRule rule(YamlSection r) {
        r.allowOnly(RULE_KEYS);
        boolean allow = r.has("allow");
        if (allow == r.has("deny")) {
            throw new ConfigException(r.path(), allow ? "give allow or deny, not both"
                    : "needs 'allow: <cidr>' or 'deny: <cidr>'");
        }
        String actionKey = allow ? "allow" : "deny";
        String cidrText = r.string(actionKey).orElseThrow();
        Cidr cidr;
        try {
            cidr = Cidr.parse(cidrText);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(r.keyPath(actionKey), e.getMessage(), e);
        }
        PortRange ports = PortRange.ANY;
        if (r.has("ports")) {
            try {
                ports = PortRange.parse(r.string("ports").orElseThrow());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(r.keyPath("ports"), e.getMessage(), e);
            }
        }
        return new AddressRule(allow ? AddressRule.Action.ALLOW : AddressRule.Action.DENY, cidr, ports);
    }
}
