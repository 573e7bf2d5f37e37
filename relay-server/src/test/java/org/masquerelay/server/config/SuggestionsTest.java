package org.masquerelay.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Set;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    private static final Set<String> KEYS = Set.of("certificate", "private-key", "pkcs12", "pkcs12-password");

    @Test
    void typosAndOtherCaseStyles() {
        assertEquals("certificate", Suggestions.closest("certficate", KEYS));
        assertEquals("private-key", Suggestions.closest("privateKey", KEYS));
        assertEquals("private-key", Suggestions.closest("private_key", KEYS));
        assertEquals("pkcs12-password", Suggestions.closest("pkcs12-pasword", KEYS));
    }

    @Test
    void nothingForUnrelatedWords() {
        assertNull(Suggestions.closest("listen", KEYS));
        assertNull(Suggestions.closest("key", KEYS));
    }

    @Test
    void editDistance() {
        assertEquals(0, Suggestions.distance("abc", "abc"));
        assertEquals(1, Suggestions.distance("abc", "abd"));
        assertEquals(3, Suggestions.distance("", "abc"));
        assertEquals(3, Suggestions.distance("kitten", "sitting"));
    }
}
