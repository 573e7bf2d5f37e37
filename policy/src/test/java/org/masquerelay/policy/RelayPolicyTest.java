package org.masquerelay.policy;

import org.masquerelay.wire.IpLiteral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RelayPolicyTest {

    @Test
    void nameAllowedButRebindingAddressDenied() {
        RelayPolicy p = new RelayPolicy(
                new DomainPolicy(List.of("example.com"), List.of(), List.of(), List.of()), AddressPolicy.defaults());
        assertTrue(p.checkName("rebind.example.com").allowed());
        PolicyDecision d = p.checkAddress(IpLiteral.toInetAddress("127.0.0.1"), 443);
        assertFalse(d.allowed());
        assertEquals("destination_ip_prohibited", d.proxyError().token());
        PolicyDecision n = p.checkName("other.org");
        assertFalse(n.allowed());
        assertEquals("http_request_denied", n.proxyError().token());
    }

    @Test
    void defaultsAreNotAnOpenProxy() {
        RelayPolicy p = RelayPolicy.defaults();
        assertTrue(p.checkName("anything.example").allowed());
        assertFalse(p.checkAddress(IpLiteral.toInetAddress("10.0.0.1"), 443).allowed());
        assertFalse(p.checkAddress(IpLiteral.toInetAddress("::1"), 443).allowed());
        assertTrue(p.checkAddress(IpLiteral.toInetAddress("9.9.9.9"), 443).allowed());
    }

    @Test
    void decisionInvariants() {
        assertThrows(IllegalArgumentException.class, () -> new PolicyDecision(true, "x", org.masquerelay.wire.ProxyError.HTTP_REQUEST_DENIED));
        assertThrows(IllegalArgumentException.class, () -> new PolicyDecision(false, "x", null));
    }
}
