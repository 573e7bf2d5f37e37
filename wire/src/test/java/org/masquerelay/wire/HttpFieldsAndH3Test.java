package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pre-existing HttpFields, H3 and H3StreamException. */
class HttpFieldsAndH3Test {

    @Test
    void fieldsAreLowerCasedOrderedAndCounted() {
        HttpFields f = HttpFields.builder().add(":method", "CONNECT").add("X-Thing", "1").add("x-thing", "2").build();
        assertEquals(Optional.of("CONNECT"), f.get(":method"));
        assertEquals("1", f.getOrNull("X-THING"));
        assertEquals(List.of("1", "2"), f.getAll("x-thing"));
        assertEquals(2, f.count("x-thing"));
        assertEquals(3, f.size());
        assertTrue(f.asList().get(0).isPseudo());
        assertFalse(f.asList().get(1).isPseudo());
        assertEquals("x-thing", f.asList().get(1).name());
        assertEquals((7 + 7 + 32) + (7 + 1 + 32) * 2, f.fieldSectionSize());
        assertTrue(f.getOrNull("missing") == null && !f.contains("missing"));
    }

    @Test
    void reservedCodePoints() {
        assertTrue(H3.isReserved(0x21));
        assertTrue(H3.isReserved(0x40));
        assertTrue(H3.isReserved(0x1f * 12345L + 0x21));
        assertFalse(H3.isReserved(0x20));
        assertFalse(H3.isReserved(0x22));
        assertFalse(H3.isReserved(0x00));
        assertTrue(H3.isHttp2OnlySetting(0x02) && H3.isHttp2OnlySetting(0x05) && !H3.isHttp2OnlySetting(0x06));
        assertTrue(H3.isHttp2OnlyFrameType(0x02) && H3.isHttp2OnlyFrameType(0x09) && !H3.isHttp2OnlyFrameType(0x07));
    }

    @Test
    void streamExceptionCarriesItsCodeAndName() {
        H3StreamException e = new H3StreamException(H3.H3_MESSAGE_ERROR, "bad capsule");
        assertEquals(H3.H3_MESSAGE_ERROR, e.errorCode());
        assertEquals("bad capsule (H3_MESSAGE_ERROR)", e.getMessage());
        assertEquals("0x999", H3.errorName(0x999));
    }
}
