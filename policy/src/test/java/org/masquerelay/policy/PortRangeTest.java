package org.masquerelay.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PortRangeTest {

    @Test
    void singlePort() {
        PortRange p = PortRange.parse("443");
        assertTrue(p.contains(443));
        assertFalse(p.contains(444));
        assertFalse(p.contains(442));
    }

    @Test
    void rangeIsInclusive() {
        PortRange p = PortRange.parse("1-1024");
        assertTrue(p.contains(1));
        assertTrue(p.contains(1024));
        assertFalse(p.contains(1025));
        assertEquals(new PortRange(8000, 8080), PortRange.parse(" 8000 - 8080 "));
    }

    @Test
    void anyInBothSpellings() {
        assertEquals(PortRange.ANY, PortRange.parse("*"));
        assertEquals(PortRange.ANY, PortRange.parse("any"));
        assertEquals(PortRange.ANY, PortRange.parse("ANY"));
        assertTrue(PortRange.ANY.contains(1) && PortRange.ANY.contains(65535));
        assertEquals("*", PortRange.ANY.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "65536", "http", "1-", "-5", "10-5", "1-2-3", "99999999999"})
    void refusesBadPorts(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortRange.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }
}
