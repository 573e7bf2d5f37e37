package org.masquerelay.policy;

import org.masquerelay.wire.IpLiteral;

import java.util.ArrayList;
import java.util.List;

/**
 * Which destination names the relay serves, with the semantics of Apple's NERelayManager so that one list can
 * configure both the client (what goes through the relay) and the server (what the relay accepts).
 *
 * <ul>
 *   <li>Names are compared case-insensitively and a trailing dot is ignored.</li>
 *   <li>A {@code matchDomains} or {@code excludedDomains} entry {@code example.com} covers {@code example.com} and
 *       every name under it ({@code a.b.example.com}), never {@code badexample.com}.</li>
 *   <li>{@code matchFQDNs} and {@code excludedFQDNs} entries are exact names.</li>
 *   <li>A name in either excluded list is denied, whatever the match lists say.</li>
 *   <li>Otherwise a name in either match list is allowed; when both match lists are empty every name is.</li>
 *   <li>An IP address literal is never matched by a domain rule, in a match or an excluded list: it is allowed only
 *       when both match lists are empty (addresses are then the {@link AddressPolicy}'s business).</li>
 * </ul>
 */
public final class DomainPolicy {

    private static final DomainPolicy MATCH_ALL = new DomainPolicy(List.of(), List.of(), List.of(), List.of());

    private final List<String> matchDomains;
    private final List<String> excludedDomains;
    private final List<String> matchFQDNs;
    private final List<String> excludedFQDNs;

    /**
     * @throws IllegalArgumentException if an entry is not a domain name, naming the list and the entry
     */
    public DomainPolicy(List<String> matchDomains, List<String> excludedDomains, List<String> matchFQDNs,
                        List<String> excludedFQDNs) {
        this.matchDomains = canonicalList("matchDomains", matchDomains);
        this.excludedDomains = canonicalList("excludedDomains", excludedDomains);
        this.matchFQDNs = canonicalList("matchFQDNs", matchFQDNs);
        this.excludedFQDNs = canonicalList("excludedFQDNs", excludedFQDNs);
    }

    /** Every name is matched and none excluded. */
    public static DomainPolicy matchAll() {
        return MATCH_ALL;
    }

    /**
     * The canonical form of a list entry (lower case, no trailing dot).
     *
     * @throws IllegalArgumentException "'*.example.com' is not a domain name (...)" when it is not one
     */
    public static String canonicalEntry(String entry) {
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("'" + entry + "' is not a domain name (it is empty)");
        }
        String c = HostName.canonical(entry);
        if (c.startsWith("*.") || c.startsWith(".")) {
            throw new IllegalArgumentException("'" + entry + "' is not a domain name (write '"
                    + c.substring(c.indexOf('.') + 1) + "': a domain entry already covers every name under it)");
        }
        if (IpLiteral.isLiteral(c)) {
            throw new IllegalArgumentException("'" + entry + "' is an IP address, and domain rules never match IP"
                    + " addresses; use an address rule (policy.addresses) instead");
        }
        if (!HostName.isValid(c)) {
            throw new IllegalArgumentException("'" + entry + "' is not a domain name (labels of letters, digits,"
                    + " '-' or '_', separated by dots)");
        }
        return c;
    }

    public PolicyDecision decide(String host) {
        String h = host == null ? "" : HostName.canonical(host);
        boolean matchEverything = matchDomains.isEmpty() && matchFQDNs.isEmpty();
        if (IpLiteral.isLiteral(h)) {
            return matchEverything
                    ? PolicyDecision.allow("IP address " + h + " is matched because matchDomains and matchFQDNs are"
                    + " empty")
                    : PolicyDecision.denyName("IP address " + h + " is not matched: domain rules never match IP"
                    + " addresses, and matchDomains/matchFQDNs are not empty");
        }
        if (!HostName.isValid(h)) {
            return PolicyDecision.denyName("'" + host + "' is not a valid host name");
        }
        if (excludedFQDNs.contains(h)) {
            return PolicyDecision.denyName(h + " is excluded by excludedFQDNs entry '" + h + "'");
        }
        String excludedBy = coveringDomain(excludedDomains, h);
        if (excludedBy != null) {
            return PolicyDecision.denyName(h + " is excluded by excludedDomains entry '" + excludedBy + "'");
        }
        if (matchEverything) {
            return PolicyDecision.allow(h + " is matched because matchDomains and matchFQDNs are empty");
        }
        if (matchFQDNs.contains(h)) {
            return PolicyDecision.allow(h + " is matched by matchFQDNs entry '" + h + "'");
        }
        String matchedBy = coveringDomain(matchDomains, h);
        if (matchedBy != null) {
            return PolicyDecision.allow(h + " is matched by matchDomains entry '" + matchedBy + "'");
        }
        return PolicyDecision.denyName(h + " is not matched by any matchDomains or matchFQDNs entry");
    }

    public List<String> matchDomains() {
        return matchDomains;
    }

    public List<String> excludedDomains() {
        return excludedDomains;
    }

    public List<String> matchFQDNs() {
        return matchFQDNs;
    }

    public List<String> excludedFQDNs() {
        return excludedFQDNs;
    }

    /** The first domain entry equal to the name or a parent of it; the dot check keeps badexample.com out. */
    private static String coveringDomain(List<String> domains, String name) {
        for (String d : domains) {
            if (name.equals(d) || name.endsWith("." + d)) {
                return d;
            }
        }
        return null;
    }

    private static List<String> canonicalList(String listName, List<String> entries) {
        List<String> out = new ArrayList<>(entries.size());
        for (String e : entries) {
            try {
                out.add(canonicalEntry(e));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(listName + ": " + ex.getMessage(), ex);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "DomainPolicy[matchDomains=" + matchDomains + ", excludedDomains=" + excludedDomains + ", matchFQDNs="
                + matchFQDNs + ", excludedFQDNs=" + excludedFQDNs + "]";
    }
}
