package org.masquerelay.policy;

import org.masquerelay.wire.IpLiteral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {

    private static InetAddress ip(String literal) {
        return IpLiteral.toInetAddress(literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.255.0.1", "::1", "0.0.0.0", "0.1.2.3", "::", "10.1.2.3",
            "172.16.0.1", "172.31.255.254", "192.168.1.1", "fc00::1", "fd12:3456::1", "169.254.0.1",
            "169.254.169.254", "fe80::1", "100.64.0.1", "100.127.255.255", "224.0.0.1", "239.255.255.250",
            "ff02::1", "255.255.255.255", "240.0.0.1", "fd00:ec2::254", "fec0::1", "64:ff9b:1::a00:1",
            // IPv4-mapped, NAT64, 6to4, Teredo, SIIT and IPv4-compatible forms of denied IPv4 addresses:
            "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe", "2002:a00:1::1", "2002:7f00:1::", "2001:0:1:2:0:0:f5ff:fffe",
            "::ffff:0:192.168.0.1", "::10.0.0.1"})
    void specialRangesAreDeniedByDefault(String address) {
        PolicyDecision d = AddressPolicy.defaults().decide(ip(address), 443);
        assertFalse(d.allowed(), address + ": " + d.reason());
        assertEquals(org.masquerelay.wire.ProxyError.DESTINATION_IP_PROHIBITED, d.proxyError());
        assertTrue(d.reason().contains("add an address rule to allow it"), d.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.1.1.1", "8.8.8.8", "203.0.113.7", "172.32.0.1", "100.128.0.1", "169.255.0.1",
            "11.0.0.1", "2606:4700:4700::1111", "2001:db8::1", "::ffff:8.8.8.8", "64:ff9b::808:808",
            "2002:808:808::1", "2001:0:1:2:0:0:f7f7:f7f7", "223.255.255.255"})
    void publicAddressesAreAllowedByDefault(String address) {
        PolicyDecision d = AddressPolicy.defaults().decide(ip(address), 443);
        assertTrue(d.allowed(), address + ": " + d.reason());
    }

    @Test
    void jdkParsedMappedAddressIsDeniedToo() throws Exception {
        // The JDK turns ::ffff:a.b.c.d into an Inet4Address; either form must land on the same decision.
        InetAddress folded = InetAddress.getByName("::ffff:192.168.0.1");
        assertFalse(AddressPolicy.defaults().decide(folded, 80).allowed());
    }

    @Test
    void metadataReasonIsSpecific() {
        PolicyDecision d = AddressPolicy.defaults().decide(ip("169.254.169.254"), 80);
        assertEquals("169.254.169.254 port 80 is denied by default: 169.254.169.254 is cloud metadata service;"
                + " add an address rule to allow it", d.reason());
    }

    @Test
    void embeddedFormReasonNamesTheCarriedAddress() {
        PolicyDecision d = AddressPolicy.defaults().decide(ip("64:ff9b::7f00:1"), 80);
        assertTrue(d.reason().contains("because it carries 127.0.0.1 (NAT64)"), d.reason());
    }

    @Test
    void explicitAllowOverridesBuiltInDeny() {
        AddressPolicy p = new AddressPolicy(List.of(AddressRule.allow("127.0.0.0/8")));
        PolicyDecision d = p.decide(ip("127.0.0.1"), 8080);
        assertTrue(d.allowed(), d.reason());
        assertEquals("127.0.0.1 port 8080 allowed by address rule [0] (allow 127.0.0.0/8 ports *)", d.reason());
        assertTrue(p.decide(ip("::ffff:127.0.0.1"), 8080).allowed(), "IPv4-mapped form follows the IPv4 rule");
        assertFalse(p.decide(ip("::1"), 8080).allowed(), "IPv6 loopback was not allowed");
        assertFalse(p.decide(ip("10.0.0.1"), 8080).allowed());
    }

    @Test
    void explicitDenyOfPublicAddress() {
        AddressPolicy p = new AddressPolicy(List.of(AddressRule.deny("198.51.100.0/24")));
        assertFalse(p.decide(ip("198.51.100.9"), 443).allowed());
        assertTrue(p.decide(ip("198.51.101.9"), 443).allowed());
        // The same IPv4 reached through NAT64 or IPv4-mapped IPv6 is denied as well.
        assertFalse(p.decide(ip("64:ff9b::198.51.100.9"), 443).allowed());
        assertFalse(p.decide(ip("::ffff:198.51.100.9"), 443).allowed());
    }

    @Test
    void firstMatchingRuleWins() {
        AddressPolicy allowFirst = new AddressPolicy(List.of(
                AddressRule.allow("10.1.0.0/16"), AddressRule.deny("10.0.0.0/8")));
        assertTrue(allowFirst.decide(ip("10.1.2.3"), 22).allowed());
        assertFalse(allowFirst.decide(ip("10.2.0.1"), 22).allowed());

        AddressPolicy denyFirst = new AddressPolicy(List.of(
                AddressRule.deny("10.0.0.0/8"), AddressRule.allow("10.1.0.0/16")));
        PolicyDecision d = denyFirst.decide(ip("10.1.2.3"), 22);
        assertFalse(d.allowed());
        assertTrue(d.reason().contains("address rule [0] (deny 10.0.0.0/8 ports *)"), d.reason());
    }

    @Test
    void portsNarrowARule() {
        AddressPolicy p = new AddressPolicy(List.of(
                new AddressRule(AddressRule.Action.ALLOW, Cidr.parse("10.0.0.0/8"), PortRange.parse("443")),
                new AddressRule(AddressRule.Action.DENY, Cidr.parse("0.0.0.0/0"), PortRange.parse("25"))));
        assertTrue(p.decide(ip("10.0.0.5"), 443).allowed());
        assertFalse(p.decide(ip("10.0.0.5"), 80).allowed(), "port 80 falls through to the built-in deny");
        assertFalse(p.decide(ip("8.8.8.8"), 25).allowed());
        assertTrue(p.decide(ip("8.8.8.8"), 26).allowed());
    }

    @Test
    void ipv6Rules() {
        AddressPolicy p = new AddressPolicy(List.of(AddressRule.allow("fd00::/8"), AddressRule.deny("2001:db8::/32")));
        assertTrue(p.decide(ip("fd12::1"), 443).allowed());
        assertFalse(p.decide(ip("fc00::1"), 443).allowed());
        assertFalse(p.decide(ip("2001:db8:1::1"), 443).allowed());
        assertTrue(p.decide(ip("2001:db9::1"), 443).allowed());
    }

    @Test
    void invalidPortIsDenied() {
        assertFalse(AddressPolicy.defaults().decide(ip("8.8.8.8"), 0).allowed());
        assertFalse(AddressPolicy.defaults().decide(ip("8.8.8.8"), 65536).allowed());
    }

    @Test
    void loopbackOnlyAllowsLoopbackAndNothingElse() {
        AddressPolicy p = AddressPolicy.loopbackOnly();
        assertTrue(p.decide(ip("127.0.0.1"), 1).allowed());
        assertTrue(p.decide(ip("127.9.9.9"), 65535).allowed());
        assertTrue(p.decide(ip("::1"), 443).allowed());
        assertTrue(p.decide(ip("::ffff:127.0.0.1"), 443).allowed());
        assertFalse(p.decide(ip("8.8.8.8"), 443).allowed());
        assertFalse(p.decide(ip("2606:4700::1"), 443).allowed());
        assertFalse(p.decide(ip("10.0.0.1"), 443).allowed());
    }
}
