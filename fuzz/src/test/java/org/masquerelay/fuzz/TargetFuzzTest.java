package org.masquerelay.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.Target;

/**
 * CONNECT targets (RFC 9114 §4.4: :authority host:port). Allowed: a target, or a 400 with a message. An accepted
 * target names a host that carries no separator or control character, and its authority parses back to itself.
 */
class TargetFuzzTest {

    @FuzzTest
    void authority(FuzzedDataProvider data) {
        String authority = data.consumeRemainingAsString();
        Target target;
        try {
            target = Target.parseAuthority(authority);
        } catch (Refusal e) {
            assertEquals(400, e.httpStatus());
            return;
        }
        Checks.cleanHost(target.host());
        assertTrue(target.port() >= 1 && target.port() <= 65535);
        try {
            assertEquals(target, Target.parseAuthority(target.authority()), "authority does not round-trip");
        } catch (Refusal e) {
            throw new AssertionError("the authority of an accepted target is refused: " + target.authority(), e);
        }
    }
}
