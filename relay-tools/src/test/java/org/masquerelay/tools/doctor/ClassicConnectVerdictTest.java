package org.masquerelay.tools.doctor;

import org.junit.jupiter.api.Test;
import org.masquerelay.tools.apple.AppleOutcome;
import org.masquerelay.tools.doctor.Doctor.Mark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "Method not served" fails; "served but refused" with Proxy-Status passes; a bare refusal cannot be told apart. */
class ClassicConnectVerdictTest {
    private static final AppleOutcome NONE = AppleOutcome.success("unused");

    @Test
    void notServedFails() {
        for (int status : new int[] {400, 404, 405, 501}) {
            Doctor.Check c = ClassicConnectVerdict.judge("classic CONNECT", "relay:443", status, null, NONE);
            assertEquals(Mark.FAIL, c.mark(), c.toString());
            assertTrue(c.detail().contains("method not served"), c.detail());
            assertTrue(c.appleReports().contains("61"), c.appleReports());
        }
        Doctor.Check reset = ClassicConnectVerdict.judge("classic CONNECT", "relay:443", null, null,
                AppleOutcome.aborted("stream reset by peer"));
        assertEquals(Mark.FAIL, reset.mark());
        assertTrue(reset.detail().contains("method not served: stream reset by peer"), reset.detail());
        assertTrue(reset.appleReports().contains("53"), reset.appleReports());
    }

    @Test
    void servedButRefusedWithProxyStatusPasses() {
        Doctor.Check forbidden = ClassicConnectVerdict.judge("classic CONNECT", "relay:443", 403,
                "relay;error=destination_ip_prohibited", NONE);
        assertEquals(Mark.PASS, forbidden.mark(), forbidden.toString());
        assertTrue(forbidden.detail().contains("served but refused"), forbidden.detail());
        assertEquals(Mark.PASS, ClassicConnectVerdict.judge("c", "relay:443", 502, "relay;error=connection_refused", NONE).mark());
        assertEquals(Mark.PASS, ClassicConnectVerdict.judge("c", "relay:443", 200, null, NONE).mark());
    }

    @Test
    void credentialAndBareRefusals() {
        Doctor.Check auth = ClassicConnectVerdict.judge("c", "relay:443", 407, null, NONE);
        assertEquals(Mark.FAIL, auth.mark());
        assertTrue(auth.fix().contains("--proxy-header"), auth.fix());
        Doctor.Check bare = ClassicConnectVerdict.judge("c", "relay:443", 403, null, NONE);
        assertEquals(Mark.WARN, bare.mark());
        assertTrue(bare.fix().contains("Proxy-Status"), bare.fix());
    }
}
