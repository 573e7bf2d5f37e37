package org.masquerelay.tools;

import org.junit.jupiter.api.Test;
import org.masquerelay.tools.apple.AppleOutcome.Kind;
import org.masquerelay.tools.apple.ResponseMapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Apple's status → errno rules (apple-relay-client.md, "What it checks"). */
class ResponseMappingTest {
    @Test
    void mapsStatusAndProxyStatus() {
        assertEquals(Kind.SUCCESS, ResponseMapping.map(200, null).kind());
        assertEquals(Kind.SUCCESS, ResponseMapping.map(204, null).kind());
        assertEquals(Kind.ECONNREFUSED, ResponseMapping.map(501, null).kind());
        assertEquals(Kind.ECONNREFUSED, ResponseMapping.map(407, null).kind());
        assertEquals(Kind.ECONNREFUSED, ResponseMapping.map(403, "relay; error=destination_ip_prohibited").kind(), "only 5xx look at Proxy-Status");
        assertEquals(Kind.EHOSTUNREACH, ResponseMapping.map(502, "relay; error=dns_error").kind());
        assertEquals(Kind.EHOSTUNREACH, ResponseMapping.map(503, "relay; error=destination_unavailable; details=\"x\"").kind());
        assertEquals(Kind.EHOSTDOWN, ResponseMapping.map(502, "relay; error=connection_refused").kind());
        assertEquals(Kind.EHOSTDOWN, ResponseMapping.map(504, "relay; error=connection_timeout").kind());
        assertEquals(Kind.ECONNREFUSED, ResponseMapping.map(502, "not a ; valid === header").kind());
    }
}
