package org.masquerelay.display;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressesTest {
    @Test
    void ipv4AndIpv6AsPeopleWriteThem() throws Exception {
        assertEquals("127.0.0.1:42019", Addresses.format(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 42019)));
        assertEquals("[::1]:4433", Addresses.format(new InetSocketAddress(InetAddress.getByName("::1"), 4433)));
        assertEquals("[2001:db8::1]:443", Addresses.format(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:0:0:0:1"), 443)));
        assertEquals("relay.example.com:443", Addresses.format(InetSocketAddress.createUnresolved("relay.example.com", 443)));
        assertEquals("::", Addresses.format(InetAddress.getByName("0:0:0:0:0:0:0:0")));
    }

    @Test
    void versionIsFilledInByTheBuild() {
        assertTrue(Version.number().matches("\\d+\\.\\d+\\.\\d+.*"), Version.number());
        assertTrue(Version.lines("relay-server")[0].startsWith("relay-server " + Version.number()));
    }
}
