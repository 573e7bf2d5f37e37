package org.masquerelay.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.masquerelay.wire.ProxyStatus;

/**
 * Proxy-Status field values (RFC 9209, an RFC 8941 list) as a relay or target answers them. Allowed: a list, or
 * {@link IllegalArgumentException}. A parsed list serialises to a value that parses to the same list.
 */
class ProxyStatusFuzzTest {

    @FuzzTest
    void headerValue(FuzzedDataProvider data) {
        String value = data.consumeRemainingAsString();
        List<ProxyStatus> parsed;
        try {
            parsed = ProxyStatus.parse(value);
        } catch (IllegalArgumentException e) {
            return;
        }
        String again = ProxyStatus.toHeaderValue(parsed);
        assertEquals(parsed, ProxyStatus.parse(again), "does not round-trip: " + again);
    }
}
