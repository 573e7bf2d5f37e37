package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ProxyStatus and ProxyError. */
class ProxyStatusTest {

    @Test
    void serializesTokenNameErrorAndDetails() {
        ProxyStatus s = ProxyStatus.of("masque-relay", ProxyError.DNS_ERROR, "NXDOMAIN for example.invalid");
        assertEquals("masque-relay;error=dns_error;details=\"NXDOMAIN for example.invalid\"", s.toHeaderValue());
        assertEquals(Optional.of(ProxyError.DNS_ERROR), s.proxyError());
    }

    @Test
    void nameThatIsNotATokenBecomesAString() {
        assertEquals("\"my relay\"", ProxyStatus.of("my relay", null, null).toHeaderValue());
        assertEquals("\"1relay\"", ProxyStatus.of("1relay", null, null).toHeaderValue());
        assertEquals("r.example:443/x", ProxyStatus.of("r.example:443/x", null, null).toHeaderValue());
    }

    @Test
    void detailsAreEscapedAndSanitized() {
        ProxyStatus s = ProxyStatus.of("r", ProxyError.PROXY_INTERNAL_ERROR, "say \"hi\" \\ bye\n\u00e4\ud83d\ude00");
        assertEquals("r;error=proxy_internal_error;details=\"say \\\"hi\\\" \\\\ bye???\"", s.toHeaderValue());
    }

    @Test
    void roundTripsWithCommasAndSemicolonsInsideStrings() {
        ProxyStatus a = ProxyStatus.of("relay, one;two", ProxyError.CONNECTION_REFUSED, "a, b; c=d \"e\" \\f");
        ProxyStatus b = ProxyStatus.of("upstream", ProxyError.HTTP_REQUEST_ERROR, null);
        String value = ProxyStatus.toHeaderValue(List.of(a, b));
        assertEquals(List.of(a, b), ProxyStatus.parse(value));
    }

    @Test
    void roundTripsOtherParameters() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("next-hop", "target.example:443");
        params.put("received-status", "503");
        params.put("rtt", "1.5");
        params.put("cached", "?1");
        params.put("fresh", "?0");
        params.put("note", "two words");
        ProxyStatus s = new ProxyStatus("r", "connection_timeout", "slow", params);
        String header = s.toHeaderValue();
        assertEquals("r;error=connection_timeout;details=\"slow\";next-hop=target.example:443;received-status=503"
                + ";rtt=1.5;cached;fresh=?0;note=\"two words\"", header);
        assertEquals(List.of(s), ProxyStatus.parse(header));
    }

    @Test
    void parsesRfc9209Examples() {
        List<ProxyStatus> list = ProxyStatus.parse("FooProxy; error=http_protocol_error; details=\"Malformed response header: space before colon\"");
        assertEquals(1, list.size());
        assertEquals("FooProxy", list.get(0).proxyName());
        assertEquals("http_protocol_error", list.get(0).error());
        assertEquals("Malformed response header: space before colon", list.get(0).details());

        List<ProxyStatus> two = ProxyStatus.parse("revproxy1.example.net, cdn-b4b3;error=connection_timeout ,  \"Edge\";next-hop=\"backend.example.org:8001\";received-status=503");
        assertEquals(3, two.size());
        assertEquals("revproxy1.example.net", two.get(0).proxyName());
        assertNull(two.get(0).error());
        assertEquals(Optional.of(ProxyError.CONNECTION_TIMEOUT), two.get(1).proxyError());
        assertEquals("Edge", two.get(2).proxyName());
        assertEquals(Map.of("next-hop", "backend.example.org:8001", "received-status", "503"), two.get(2).otherParams());
    }

    @Test
    void parsesAllBareItemTypesAsText() {
        ProxyStatus s = ProxyStatus.parse("p;a=-12;b=3.250;c=?0;d;e=:aGVsbG8=:;f=tok/en:x;g=\"s\"").get(0);
        assertEquals("-12", s.otherParams().get("a"));
        assertEquals("3.250", s.otherParams().get("b"));
        assertEquals("?0", s.otherParams().get("c"));
        assertEquals("?1", s.otherParams().get("d"));
        assertEquals(":aGVsbG8=:", s.otherParams().get("e"));
        assertEquals("tok/en:x", s.otherParams().get("f"));
        assertEquals("s", s.otherParams().get("g"));
    }

    @Test
    void repeatedParameterKeepsTheLastValue() {
        ProxyStatus s = ProxyStatus.parse("p;x=1;error=dns_error;x=2;error=dns_timeout").get(0);
        assertEquals("2", s.otherParams().get("x"));
        assertEquals("dns_timeout", s.error());
    }

    @Test
    void emptyAndWhitespaceValuesAreEmptyLists() {
        assertEquals(List.of(), ProxyStatus.parse(""));
        assertEquals(List.of(), ProxyStatus.parse("   "));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a,", ",a", "a,,b", "a b", "a;", "a;=1", "a;B=1", "a;x=", "\"unterminated", "\"bad\\escape\"", "a;x=\"\u00e4\"",
        "(a b)", "12", "?1", ":aGk=:", "a;x=1.2345", "a;x=1234567890123456", "a;x=?2", "a;x=:no-end", "a;x=:b@d:",
        "a;x=-", "a;x=1..2", "@", "a\"b\"",
        // found by fuzzing (ProxyStatusFuzzTest): an error parameter that is not a token
        "J1; error", "p;error=?0", "p;error=12", "p;error=\"not a token\""
    })
    void rejectsGarbage(String value) {
        assertThrows(IllegalArgumentException.class, () -> ProxyStatus.parse(value));
    }

    @Test
    void constructorValidatesParameters() {
        assertThrows(IllegalArgumentException.class, () -> new ProxyStatus("r", null, null, Map.of("Bad", "x")));
        assertThrows(IllegalArgumentException.class, () -> new ProxyStatus("r", null, null, Map.of("error", "x")));
        assertThrows(IllegalArgumentException.class, () -> new ProxyStatus("r", null, null, Map.of("details", "x")));
        assertThrows(NullPointerException.class, () -> new ProxyStatus(null, null, null, null));
        assertEquals(Map.of(), new ProxyStatus("r", null, null, null).otherParams());
        assertThrows(IllegalArgumentException.class, () -> new ProxyStatus("r", "not a token", null, null).toHeaderValue());
    }

    @Test
    void everyRfc9209ErrorTypeHasItsToken() {
        assertEquals(32, ProxyError.values().length);
        for (ProxyError e : ProxyError.values()) {
            assertEquals(e.name().toLowerCase(java.util.Locale.ROOT), e.token());
            assertEquals(Optional.of(e), ProxyError.fromToken(e.token()));
            assertEquals(List.of(ProxyStatus.of("r", e, null)), ProxyStatus.parse(ProxyStatus.of("r", e, null).toHeaderValue()));
        }
        assertEquals("destination_ip_unroutable", ProxyError.DESTINATION_IP_UNROUTABLE.token());
        assertEquals("http_response_trailer_section_size", ProxyError.HTTP_RESPONSE_TRAILER_SECTION_SIZE.token());
        assertTrue(ProxyError.fromToken("DNS_ERROR").isEmpty());
        assertTrue(ProxyError.fromToken("nope").isEmpty());
        assertTrue(ProxyError.fromToken(null).isEmpty());
    }
}
