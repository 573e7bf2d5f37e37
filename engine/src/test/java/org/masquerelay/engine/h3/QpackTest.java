package org.masquerelay.engine.h3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.masquerelay.wire.HttpFields;

class QpackTest {

    @Test
    void roundTrip() throws IOException {
        Qpack qpack = new Qpack();
        HttpFields fields = HttpFields.builder().add(":method", "CONNECT").add(":authority", "example.com:443")
                .add("x-long", "v".repeat(5000)).add("user-agent", "test").build();
        assertEquals(fields.asList(), qpack.decode(qpack.encode(fields)).asList());
    }

    /**
     * Found by fuzzing (ConnectRequestFuzzTest#qpackFieldSection): 8 bytes whose literal name claims ~2 GB made the
     * qpack library allocate it, and the relay died of OutOfMemoryError.
     */
    @Test
    void aStringLongerThanTheSectionIsMalformedNotAnAllocation() {
        byte[] section = HexFormat.of().parseHex("d0e23fd8d0d0d825");
        IOException e = assertThrows(IOException.class, () -> new Qpack().decode(section));
        assertTrue(e.getMessage().contains("malformed QPACK"), e.getMessage());
        // A literal name of 1,000 bytes in a 10-byte section (prefix 0, 0; 001 N=0 H=0, 3-bit prefix 7 + 993).
        byte[] shortSection = HexFormat.of().parseHex("0000" + "27e207" + "616263");
        assertThrows(IOException.class, () -> new Qpack().decode(shortSection));
    }

    @Test
    void overlongIntegersAreMalformed() {
        byte[] section = HexFormat.of().parseHex("00ff8080808080808001");
        assertThrows(IOException.class, () -> new Qpack().decode(section));
        byte[] truncated = HexFormat.of().parseHex("00");
        assertThrows(IOException.class, () -> new Qpack().decode(truncated));
    }
}
