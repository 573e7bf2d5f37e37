package org.masquerelay.wire;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuicLbConnectionIdTest {

    @Test
    void serverIdsParseAsHexOrDecimalBigEndian() {
        assertArrayEquals(new byte[] {0x0a, 0x01}, QuicLbConnectionId.parse("0x0a01", 2).serverId());
        assertArrayEquals(new byte[] {0x0a, 0x01}, QuicLbConnectionId.parse("2561", 2).serverId());
        assertArrayEquals(new byte[] {0x00, 0x07}, QuicLbConnectionId.parse("7", 2).serverId());
        assertArrayEquals(new byte[] {(byte) 0xff}, QuicLbConnectionId.parse(" 0XFF ", 1).serverId());
        assertEquals("0x0a01", QuicLbConnectionId.parse("2561", 2).toString());
    }

    @Test
    void serverIdsThatDoNotFitAreRefusedWithTheRange() {
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> QuicLbConnectionId.parse("256", 1));
        assertEquals("'256' does not fit in 1 octet (0 to 255)", tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuicLbConnectionId.parse("0x10000", 2));
        assertThrows(IllegalArgumentException.class, () -> QuicLbConnectionId.parse("-1", 2));
        assertThrows(IllegalArgumentException.class, () -> QuicLbConnectionId.parse("relay-1", 2));
        assertThrows(IllegalArgumentException.class, () -> QuicLbConnectionId.parse("1", 3));
        assertThrows(IllegalArgumentException.class, () -> QuicLbConnectionId.parse("1", 0));
    }

    @Test
    void idsFollowThePlaintextFormat() {
        QuicLbConnectionId lb = QuicLbConnectionId.parse("0x0a01", 2);
        byte[] id = lb.newId(0x0304, new Random(1));
        assertEquals(20, id.length);
        assertEquals(19, id[0] & 0xFF, "config rotation 0 (high three bits), 19 octets follow (low five)");
        assertEquals("0a01", HexFormat.of().formatHex(id, 1, 3), "server ID from the second octet on");
        assertEquals("0304", HexFormat.of().formatHex(id, 3, 5), "loop index leads the nonce");
        assertEquals(0x0304, lb.loopIndex(id, 0, id.length));
        assertTrue(lb.isOurs(id));
    }

    @Test
    void aOneOctetServerIdMovesTheLoopIndexUp() {
        QuicLbConnectionId lb = QuicLbConnectionId.parse("9", 1);
        byte[] id = lb.newId(1, new Random(2));
        assertEquals(9, id[1]);
        assertEquals(0, id[2]);
        assertEquals(1, id[3]);
        assertEquals(1, lb.loopIndex(id, 0, id.length));
        byte[] framed = new byte[25];
        System.arraycopy(id, 0, framed, 5, id.length);
        assertEquals(1, lb.loopIndex(framed, 5, id.length), "read in place from a packet");
    }

    @Test
    void noncesAreRandomAndOtherServersIdsAreNotOurs() {
        QuicLbConnectionId lb = QuicLbConnectionId.parse("7", 2);
        Random random = new Random(3);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(seen.add(HexFormat.of().formatHex(lb.newId(0, random))));
        }
        assertFalse(lb.isOurs(QuicLbConnectionId.parse("8", 2).newId(0, random)));
        byte[] rotated = lb.newId(0, random);
        rotated[0] |= (byte) 0xE0; // config rotation 0b111: "route by 5-tuple", not a configured ID
        assertFalse(lb.isOurs(rotated));
        assertEquals(-1, lb.loopIndex(new byte[4], 0, 4));
        assertThrows(IllegalArgumentException.class, () -> lb.newId(65536, random));
    }
}
