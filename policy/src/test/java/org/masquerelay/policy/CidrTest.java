package org.masquerelay.policy;

import org.masquerelay.wire.IpLiteral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

    @Test
    void ipv4NetworkContainsItsAddressesOnly() {
        Cidr c = Cidr.parse("10.0.0.0/8");
        assertTrue(c.contains(IpLiteral.parse("10.0.0.0")));
        assertTrue(c.contains(IpLiteral.parse("10.255.255.255")));
        assertFalse(c.contains(IpLiteral.parse("11.0.0.0")));
        assertFalse(c.contains(IpLiteral.parse("9.255.255.255")));
    }

    @Test
    void oddPrefixBoundaries() {
        Cidr c = Cidr.parse("172.16.0.0/12");
        assertTrue(c.contains(IpLiteral.parse("172.31.255.255")));
        assertFalse(c.contains(IpLiteral.parse("172.32.0.0")));
        Cidr v6 = Cidr.parse("fe80::/10");
        assertTrue(v6.contains(IpLiteral.parse("febf::1")));
        assertFalse(v6.contains(IpLiteral.parse("fec0::1")));
    }

    @Test
    void bareAddressIsSingleHost() {
        Cidr c = Cidr.parse("::1");
        assertEquals(128, c.prefixLength());
        assertTrue(c.contains(IpLiteral.parse("::1")));
        assertFalse(c.contains(IpLiteral.parse("::2")));
        assertEquals(32, Cidr.parse("192.0.2.7").prefixLength());
        assertEquals(Cidr.parse("::1"), Cidr.parse("[::1]"));
    }

    @Test
    void familiesNeverMix() {
        assertFalse(Cidr.parse("0.0.0.0/0").contains(IpLiteral.parse("::1")));
        assertFalse(Cidr.parse("::/0").contains(IpLiteral.parse("1.2.3.4")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(IpLiteral.parse("1.2.3.4")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/33|'10.0.0.0/33' is not a CIDR (prefix length must be 0..32)",
            "::/129|'::/129' is not a CIDR (prefix length must be 0..128)",
            "10.0.0.0/x|prefix length must be 0..32",
            "10.0.0.0/|prefix length must be 0..32",
            "10.0.0.0/-1|prefix length must be 0..32",
            "10.0.0.256/8|10.0.0.256 is not an IPv4 or IPv6 address",
            "example.com/8|example.com is not an IPv4 or IPv6 address",
            "10.1.2.3/8|host bits are set after the /8 prefix; did you mean 10.0.0.0/8?",
            "2001:db8::1/32|did you mean 2001:db8::/32?",
            "' '|it is empty"})
    void badInputIsExplained(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void printsCanonically() {
        assertEquals("2001:db8::/32", Cidr.parse("2001:DB8:0::/32").toString());
        assertEquals("10.0.0.0/8", Cidr.parse("10.0.0.0/8").toString());
        assertEquals("::1", Cidr.parse("0:0::1").toString());
    }
}
