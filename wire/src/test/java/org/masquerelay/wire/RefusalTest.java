package org.masquerelay.wire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A refusal renders as the answer the client gets: status, Proxy-Status, text body, a challenge when there is one. */
class RefusalTest {
    @Test
    void answerCarriesStatusProxyStatusAndDetails() {
        Refusal r = new Refusal(502, ProxyError.CONNECTION_REFUSED, "connection refused by 127.0.0.1:9");
        HttpFields h = r.responseHeaders("relay-dev");
        assertEquals("502", h.getOrNull(":status"));
        ProxyStatus status = ProxyStatus.parse(h.getOrNull("proxy-status")).get(0);
        assertEquals("relay-dev", status.proxyName());
        assertEquals("connection_refused", status.error());
        assertEquals("connection refused by 127.0.0.1:9", status.details());
        assertEquals("text/plain; charset=utf-8", h.getOrNull("content-type"));
        assertNull(h.getOrNull("proxy-authenticate"));
        assertEquals("connection refused by 127.0.0.1:9\n", r.body());
        assertEquals("502 connection_refused (connection refused by 127.0.0.1:9)", r.toString());
    }

    @Test
    void challengeIsAddedToTheAnswer() {
        Refusal r = new Refusal(407, ProxyError.HTTP_REQUEST_DENIED, "missing credential")
                .withChallenge(new HttpFields.Field("proxy-authenticate", "Bearer realm=\"relay\""));
        HttpFields h = r.responseHeaders("relay");
        assertEquals("407", h.getOrNull(":status"));
        assertEquals("Bearer realm=\"relay\"", h.getOrNull("proxy-authenticate"));
        assertEquals("missing credential", r.details());
    }

    @Test
    void onlyErrorStatusesRefuse() {
        assertThrows(IllegalArgumentException.class, () -> new Refusal(200, ProxyError.HTTP_REQUEST_ERROR, "ok?"));
        assertEquals(400, Refusal.badRequest("bad").httpStatus());
        assertEquals(ProxyError.HTTP_REQUEST_ERROR, Refusal.badRequest("bad").proxyError());
    }
}
