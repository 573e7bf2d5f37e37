package org.masquerelay.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.masquerelay.wire.Capsule;
import org.masquerelay.wire.CapsuleReader;
import org.masquerelay.wire.CapsuleWriter;
import org.masquerelay.wire.H3StreamException;

/**
 * Capsules (RFC 9297 §3.2) from a connect-udp stream's data. Allowed: capsules within the limit, a clean end, or
 * H3_MESSAGE_ERROR for a truncated one. Every capsule read writes back to the same bytes (minimal varints) and reads
 * back to itself.
 */
class CapsuleFuzzTest {

    @FuzzTest
    void capsules(FuzzedDataProvider data) throws IOException {
        int max = data.consumeInt(0, 2048);
        byte[] stream = data.consumeRemainingAsBytes();
        CapsuleReader reader = new CapsuleReader(new ByteArrayInputStream(stream), max);
        try {
            Capsule capsule;
            while ((capsule = reader.read()) != null) {
                assertTrue(capsule.value().length <= max, "capsule beyond the limit");
                byte[] encoded = CapsuleWriter.encode(capsule.type(), capsule.value(), 0, capsule.value().length);
                Capsule again = new CapsuleReader(new ByteArrayInputStream(encoded), max).read();
                assertEquals(capsule, again);
                assertArrayEquals(capsule.value(), again.value());
            }
        } catch (H3StreamException e) {
            assertTrue(e.getMessage().contains("RFC 9297"), e.getMessage());
        }
    }
}
