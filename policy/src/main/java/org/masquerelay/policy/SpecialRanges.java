package org.masquerelay.policy;

import java.util.List;

/**
 * The address ranges a relay must not reach unless the operator allows them explicitly: they lead into the relay host
 * itself, its private networks or its cloud provider's metadata service (a classic SSRF target).
 *
 * <p>Order matters only for the reason given: the narrowest description is listed first.
 */
final class SpecialRanges {

    record Range(Cidr cidr, String description) {
    }

    private static final List<Range> IPV4 = List.of(
            r("0.0.0.0/8", "unspecified, 'this network'"),
            r("127.0.0.0/8", "loopback"),
            r("10.0.0.0/8", "private, RFC 1918"),
            r("172.16.0.0/12", "private, RFC 1918"),
            r("192.168.0.0/16", "private, RFC 1918"),
            r("169.254.169.254", "cloud metadata service"),
            r("169.254.0.0/16", "link-local"),
            r("100.64.0.0/10", "shared address space, carrier-grade NAT, RFC 6598"),
            r("224.0.0.0/4", "multicast"),
            r("255.255.255.255", "broadcast"),
            r("240.0.0.0/4", "reserved"));

    private static final List<Range> IPV6 = List.of(
            r("::", "unspecified"),
            r("::1", "loopback"),
            r("fd00:ec2::254", "AWS IPv6 metadata service"),
            r("fc00::/7", "unique local, private"),
            r("fe80::/10", "link-local"),
            // Deprecated by RFC 3879 but some stacks still treat it as site-local, so it is private in practice.
            r("fec0::/10", "site-local, deprecated"),
            // Local-use NAT64 (RFC 8215): the IPv4 address may sit anywhere in it, so the whole prefix is refused.
            r("64:ff9b:1::/48", "local-use NAT64, RFC 8215"),
            r("ff00::/8", "multicast"));

    private SpecialRanges() {
    }

    /** The special range holding this address (4 or 16 bytes), or null for an ordinary public address. */
    static Range find(byte[] address) {
        for (Range range : address.length == 4 ? IPV4 : IPV6) {
            if (range.cidr().contains(address)) {
                return range;
            }
        }
        return null;
    }

    private static Range r(String cidr, String description) {
        return new Range(Cidr.parse(cidr), description);
    }
}
