package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Target and the IP literal parser behind it. */
class TargetTest {

    @ParameterizedTest
    @CsvSource({
        "example.com:443, example.com, 443, false",
        "Example.COM:443, example.com, 443, false",
        "example.com.:80, example.com, 80, false",
        "a:1, a, 1, false",
        "my-host-1.internal:65535, my-host-1.internal, 65535, false",
        "xn--bcher-kva.example:443, xn--bcher-kva.example, 443, false",
        "a--b.example:443, a--b.example, 443, false",
        "192.0.2.1:53, 192.0.2.1, 53, true",
        "0.0.0.0:1, 0.0.0.0, 1, true",
        "255.255.255.255:9, 255.255.255.255, 9, true",
        "[2001:db8::1]:443, 2001:db8::1, 443, true",
        "[::1]:8443, ::1, 8443, true",
        "[::]:1, ::, 1, true",
        "[2001:DB8::A]:443, 2001:db8::a, 443, true",
        "[::ffff:192.0.2.1]:443, ::ffff:192.0.2.1, 443, true",
        "[1:2:3:4:5:6:7:8]:443, 1:2:3:4:5:6:7:8, 443, true",
        "host:0443, host, 443, false"
    })
    void parsesValidAuthorities(String authority, String host, int port, boolean ip) throws Refusal {
        Target t = Target.parseAuthority(authority);
        assertEquals(host, t.host());
        assertEquals(port, t.port());
        assertEquals(ip, t.isIpLiteral());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "example.com", "example.com:", ":443", "example.com:0", "example.com:65536", "example.com:99999999999",
        "example.com:+443", "example.com:-1", "example.com:44a", "example.com:4 43", "user@example.com:443",
        "user:pw@example.com:443", "2001:db8::1:443", "[2001:db8::1]", "[2001:db8::1]443", "[2001:db8::1:443",
        "[192.0.2.1]:443", "[fe80::1%25eth0]:443", "[fe80::1%eth0]:443", "exa mple.com:443", "example.com :443",
        "exam\tple.com:443", "ex\u00e4mple.com:443", "ex/ample.com:443", "example..com:443", ".example.com:443",
        "example.com..:443", "[::1]:443]", "[[::1]]:443", "1.2.3:443", "256.1.1.1:443", "01.2.3.4:443",
        "1.2.3.4.5:443", "0x7f.0.0.1:443", "host.0x10:443", "example.123:443", "[1:2:3:4:5:6:7:8:9]:443",
        "[1::2::3]:443", "[12345::1]:443", "[::g]:443", "[1.2.3.4::]:443", "[::1.2.3]:443", "[:1]:443", "[1:]:443",
        // Issue 15 §4: names that cannot be host names were sent to DNS and came back 502.
        "-a.com:443", "a-.com:443", "a.-b.com:443", "a_b.com:443", "xn--:443", "xn--.com:443", "xn--a.com:443"
    })
    void rejectsInvalidAuthoritiesWith400(String authority) {
        Refusal e = assertThrows(Refusal.class, () -> Target.parseAuthority(authority));
        assertEquals(400, e.httpStatus());
        assertEquals(ProxyError.HTTP_REQUEST_ERROR, e.proxyError());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void messagesSayWhatIsWrong() {
        assertTrue(message("2001:db8::1:443").contains("brackets"));
        assertTrue(message("u@h:1").contains("userinfo"));
        assertTrue(message("h").contains("port"));
        assertTrue(message("h:70000").contains("65535"));
        assertTrue(message("[fe80::1%eth0]:1").contains("zone"));
    }

    private static String message(String authority) {
        return assertThrows(Refusal.class, () -> Target.parseAuthority(authority)).getMessage();
    }

    @Test
    void rejectsNullAuthority() {
        assertEquals(400, assertThrows(Refusal.class, () -> Target.parseAuthority(null)).httpStatus());
    }

    @Test
    void hostNameLengthLimits() throws Refusal {
        String label63 = "a".repeat(63);
        assertEquals(label63 + ".com", Target.parseAuthority(label63 + ".com:1").host());
        assertThrows(Refusal.class, () -> Target.parseAuthority("a".repeat(64) + ".com:1"));
        String name253 = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assertEquals(253, name253.length());
        assertEquals(name253, Target.parseAuthority(name253 + ":1").host());
        assertEquals(name253, Target.parseAuthority(name253 + ".:1").host()); // trailing dot does not count
        assertThrows(Refusal.class, () -> Target.parseAuthority(name253 + "d:1"));
    }

    @Test
    void ofValidatesLikeParseAuthorityWithoutBrackets() throws Refusal {
        assertEquals(new Target("2001:db8::42", 443), Target.of("2001:db8::42", 443));
        assertEquals(new Target("2001:db8::42", 443), Target.of("[2001:db8::42]", 443));
        assertEquals(new Target("example.com", 53), Target.of("EXAMPLE.com.", 53));
        assertEquals(new Target("192.0.2.1", 1), Target.of("192.0.2.1", 1));
        for (String bad : new String[] {"", "exa mple", "a@b", "fe80::1%eth0", "[example.com]", "1.2.3", "a..b",
                "x/y", "\u0000"}) {
            Refusal e = assertThrows(Refusal.class, () -> Target.of(bad, 443), bad);
            assertEquals(400, e.httpStatus());
        }
        assertThrows(Refusal.class, () -> Target.of(null, 443));
        assertThrows(Refusal.class, () -> Target.of("example.com", 0));
        assertThrows(Refusal.class, () -> Target.of("example.com", 65536));
        assertThrows(Refusal.class, () -> Target.of("example.com", -1));
    }

    @Test
    void authorityAddsBracketsForIpv6Only() throws Refusal {
        assertEquals("[2001:db8::1]:443", Target.of("2001:db8::1", 443).authority());
        assertEquals("192.0.2.1:53", Target.of("192.0.2.1", 53).authority());
        assertEquals("example.com:80", Target.of("example.com", 80).toString());
        for (String a : new String[] {"[2001:db8::1]:443", "example.com:1", "10.0.0.1:65535"}) {
            assertEquals(a, Target.parseAuthority(a).authority());
        }
    }

    @Test
    void inetAddressIsBuiltWithoutLookup() throws Exception {
        assertEquals(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}),
                Target.of("192.0.2.1", 1).inetAddress().orElseThrow());
        assertEquals(InetAddress.getByAddress(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 1}), Target.of("2001:db8::1", 1).inetAddress().orElseThrow());
        assertTrue(Target.of("example.com", 1).inetAddress().isEmpty());
        assertFalse(Target.of("example.com", 1).isIpLiteral());
    }

    @Test
    void recordConstructorRejectsObviousNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Target("", 1));
        assertThrows(IllegalArgumentException.class, () -> new Target(null, 1));
        assertThrows(IllegalArgumentException.class, () -> new Target("h", 0));
        assertThrows(IllegalArgumentException.class, () -> new Target("h", 65536));
    }

    @Test
    void ipv6ParserProducesTheRightBytes() {
        assertArrayEquals(new byte[16], IpLiteral.parseV6("::"));
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        assertArrayEquals(loopback, IpLiteral.parseV6("::1"));
        assertArrayEquals(loopback, IpLiteral.parseV6("0:0:0:0:0:0:0:1"));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 192;
        mapped[15] = 1;
        assertArrayEquals(mapped, IpLiteral.parseV6("::ffff:192.0.0.1"));
        byte[] first = new byte[16];
        first[0] = 0x20;
        first[1] = 0x01;
        assertArrayEquals(first, IpLiteral.parseV6("2001::"));
        assertArrayEquals(first, IpLiteral.parseV6("2001:0:0:0:0:0:0::")); // "::" for one group
        assertNull(IpLiteral.parseV6("1:2:3:4:5:6:7:8::"));
        assertNull(IpLiteral.parseV6("1:2:3:4:5:6:7"));
        assertNull(IpLiteral.parseV6(":::"));
        assertNull(IpLiteral.parseV6("1:2:3:4:5:6:7:1.2.3.4"));
        assertNull(IpLiteral.parseV6("\uff11::1")); // fullwidth digit
    }

    @Test
    void ipv4ParserIsStrict() {
        assertArrayEquals(new byte[] {10, 0, 0, 1}, IpLiteral.parseV4("10.0.0.1"));
        assertNull(IpLiteral.parseV4("10.0.0.1."));
        assertNull(IpLiteral.parseV4("10.0.0"));
        assertNull(IpLiteral.parseV4("10.0.0.01"));
        assertNull(IpLiteral.parseV4("10.0.0.256"));
        assertNull(IpLiteral.parseV4("10.0.0.1000"));
        assertNull(IpLiteral.parseV4(""));
        assertNull(IpLiteral.parseV4("a.b.c.d"));
    }
}
