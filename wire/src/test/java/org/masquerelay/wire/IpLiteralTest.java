package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IpLiteralTest {

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4", "0.0.0.0", "255.255.255.255", "::", "::1", "[::1]", "2001:db8::1",
            "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1", "64:ff9b::1.2.3.4", "fe80::", "1::", "1:2:3:4:5:6:1.2.3.4"})
    void parsesLiteralsTheJdkAlsoAccepts(String text) throws Exception {
        byte[] ours = IpLiteral.parse(text);
        String bare = text.replace("[", "").replace("]", "");
        byte[] jdk = InetAddress.getByName(bare).getAddress();
        if (ours.length == 16 && jdk.length == 4) {
            // The JDK folds ::ffff:a.b.c.d into IPv4; we keep 16 bytes and compare the IPv4 tail.
            assertArrayEquals(jdk, java.util.Arrays.copyOfRange(ours, 12, 16));
        } else {
            assertArrayEquals(jdk, ours);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4",
            "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "::1:", "12345::", "fe80::1%eth0", "1.2.3.4::",
            "::g", "[1.2.3.4]", "::1.2.3", "::\u0661", "\uff11::", "1.2.3.\u0664"})
    void refusesNonLiterals(String text) {
        assertNull(IpLiteral.parse(text), text);
    }

    @Test
    void keepsIpv4MappedAsIpv6() {
        InetAddress a = IpLiteral.toInetAddress("::ffff:10.0.0.1");
        assertTrue(a instanceof Inet6Address);
        assertEquals(16, a.getAddress().length);
    }

    @ParameterizedTest
    @CsvSource({"2001:db8:0:0:0:0:0:1, 2001:db8::1", "0:0:0:0:0:0:0:0, ::", "1:0:0:2:0:0:0:3, 1:0:0:2::3",
            "fd00:ec2:0:0:0:0:0:254, fd00:ec2::254", "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8", "10.0.0.1, 10.0.0.1"})
    void formatsCompressed(String in, String out) {
        assertEquals(out, IpLiteral.format(IpLiteral.parse(in)));
    }
}
