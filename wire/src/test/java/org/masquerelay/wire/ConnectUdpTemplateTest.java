package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectUdpTemplateTest {

    private static Target match(ConnectUdpTemplate t, String path) throws Refusal {
        return t.match(path).orElseThrow(() -> new AssertionError("no match for " + path));
    }

    @Test
    void defaultTemplateMatchesAndExpands() throws Refusal {
        ConnectUdpTemplate t = ConnectUdpTemplate.defaultTemplate();
        assertEquals(new Target("192.0.2.42", 443), match(t, "/.well-known/masque/udp/192.0.2.42/443/"));
        assertEquals("/.well-known/masque/udp/192.0.2.42/443/", t.expand("192.0.2.42", 443));
        assertNull(t.authority());
        assertTrue(t.scheme().isEmpty());
    }

    /** RFC 9298 §3: "2001:db8::42" is sent as "2001%3Adb8%3A%3A42". */
    @Test
    void ipv6IsPercentEncodedOnExpansionAndDecodedOnMatch() throws Refusal {
        ConnectUdpTemplate t = ConnectUdpTemplate.defaultTemplate();
        assertEquals("/.well-known/masque/udp/2001%3Adb8%3A%3A42/443/", t.expand("2001:db8::42", 443));
        assertEquals("/.well-known/masque/udp/2001%3Adb8%3A%3A42/443/", t.expand("[2001:db8::42]", 443));
        assertEquals(new Target("2001:db8::42", 443), match(t, "/.well-known/masque/udp/2001%3Adb8%3A%3A42/443/"));
        assertEquals(new Target("2001:db8::42", 443), match(t, "/.well-known/masque/udp/2001%3adb8%3a%3a42/443/"));
        // Some clients send the colons as they are.
        assertEquals(new Target("2001:db8::42", 443), match(t, "/.well-known/masque/udp/2001:db8::42/443/"));
        assertEquals(new Target("2001:db8::42", 443), match(t, "/.well-known/masque/udp/%5B2001:db8::42%5D/443/"));
    }

    @Test
    void expansionEncodesEverythingOutsideUnreserved() {
        ConnectUdpTemplate t = ConnectUdpTemplate.parse("/p/{target_host}/{target_port}/");
        assertEquals("/p/a-b.c_d~e/1/", t.expand("a-b.c_d~e", 1));
        assertEquals("/p/a%2Fb%3Fc%20%25%C3%A4/1/", t.expand("a/b?c %\u00e4", 1));
    }

    @Test
    void fullUriTemplate() throws Refusal {
        ConnectUdpTemplate t = ConnectUdpTemplate.parse("https://relay.example:443/masque/{target_host}/{target_port}/");
        assertEquals("relay.example:443", t.authority());
        assertEquals(Optional.of("https"), t.scheme());
        assertEquals("/masque/example.com/53/", t.expand("example.com", 53));
        assertEquals(new Target("example.com", 53), match(t, "/masque/example.com/53/"));
        assertEquals("https://relay.example:443/masque/{target_host}/{target_port}/", t.template());
        assertEquals(Optional.of("https"), ConnectUdpTemplate.parse("HTTPS://r/{target_host}/{target_port}").scheme());
    }

    @Test
    void formStyleQueryTemplate() throws Refusal {
        ConnectUdpTemplate t = ConnectUdpTemplate.parse("https://proxy.example.org:4443/masque{?target_host,target_port}");
        assertEquals("/masque?target_host=2001%3Adb8%3A%3A1&target_port=443", t.expand("2001:db8::1", 443));
        assertEquals(new Target("2001:db8::1", 443), match(t, "/masque?target_host=2001%3Adb8%3A%3A1&target_port=443"));
        assertEquals(new Target("2001:db8::1", 443), match(t, "/masque?target_host=2001:db8::1&target_port=443"));
        assertTrue(t.match("/masque?target_port=443&target_host=a").isEmpty());
        assertTrue(t.match("/masque").isEmpty());
        assertTrue(t.match("/masque/?target_host=a&target_port=1").isEmpty());
    }

    @Test
    void queryContinuationTemplate() throws Refusal {
        ConnectUdpTemplate t = ConnectUdpTemplate.parse("/m?v=1{&target_host,target_port}");
        assertEquals("/m?v=1&target_host=h&target_port=9", t.expand("h", 9));
        assertEquals(new Target("h", 9), match(t, "/m?v=1&target_host=h&target_port=9"));
    }

    @Test
    void literalQueryTemplate() throws Refusal {
        ConnectUdpTemplate t = ConnectUdpTemplate.parse("/m?h={target_host}&p={target_port}");
        assertEquals("/m?h=192.0.2.1&p=8", t.expand("192.0.2.1", 8));
        assertEquals(new Target("192.0.2.1", 8), match(t, "/m?h=192.0.2.1&p=8"));
        assertEquals(new Target("2001:db8::1", 8), match(t, "/m?h=2001:db8::1&p=8"));
        assertTrue(t.match("/m?h=a&p=8&x=1").isEmpty());
        assertTrue(t.match("/n?h=a&p=8").isEmpty());
    }

    @Test
    void variablesInReverseOrderAndMultiVariableExpression() throws Refusal {
        ConnectUdpTemplate t = ConnectUdpTemplate.parse("/{target_port}/{target_host}");
        assertEquals("/53/dns.example", t.expand("dns.example", 53));
        assertEquals(new Target("dns.example", 53), match(t, "/53/dns.example"));
        ConnectUdpTemplate pair = ConnectUdpTemplate.parse("/udp/{target_host,target_port}");
        assertEquals("/udp/h.example,53", pair.expand("h.example", 53));
        assertEquals(new Target("h.example", 53), match(pair, "/udp/h.example,53"));
    }

    @Test
    void nonMatchingPathsAreEmpty() throws Refusal {
        ConnectUdpTemplate t = ConnectUdpTemplate.defaultTemplate();
        for (String p : new String[] {"/", "/.well-known/masque/udp/h/443", "/.well-known/masque/udp/h/443/x",
                "/.well-known/masque/udp/h/x/443/", "/.well-known/masque/ip/h/443/", "/.well-known/masque/udp/h/443/?q=1",
                "x/.well-known/masque/udp/h/443/"}) {
            assertTrue(t.match(p).isEmpty(), p);
        }
        assertTrue(t.match(null).isEmpty());
        // Regex metacharacters in the literal part are literal.
        ConnectUdpTemplate dots = ConnectUdpTemplate.parse("/a.b/{target_host}/{target_port}");
        assertTrue(dots.match("/axb/h/1").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/.well-known/masque/udp/h/0/", "/.well-known/masque/udp/h/65536/", "/.well-known/masque/udp/h/-1/",
        "/.well-known/masque/udp/h/+1/", "/.well-known/masque/udp/h//", "/.well-known/masque/udp//443/",
        "/.well-known/masque/udp/h/44%33x/", "/.well-known/masque/udp/a%2Fb/443/", "/.well-known/masque/udp/a%/443/",
        "/.well-known/masque/udp/a%4/443/", "/.well-known/masque/udp/a%zz/443/", "/.well-known/masque/udp/a%20b/443/",
        "/.well-known/masque/udp/a@b/443/", "/.well-known/masque/udp/fe80::1%25eth0/443/",
        "/.well-known/masque/udp/a+b/443/", "/.well-known/masque/udp/%C3%A4.example/443/",
        "/.well-known/masque/udp/1.2.3/443/"
    })
    void matchingPathWithBadTargetIs400(String path) {
        Refusal e = assertThrows(Refusal.class,
                () -> ConnectUdpTemplate.defaultTemplate().match(path));
        assertEquals(400, e.httpStatus());
        assertEquals(ProxyError.HTTP_REQUEST_ERROR, e.proxyError());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "/masque/{target_host}/", "/masque/{target_port}/", "/masque/{target_host}/{port}/",
        "/masque/{target_host}/{target_port}/{extra}", "/masque/{target_host/{target_port}/",
        "/masque/target_host}/{target_port}/", "/masque/{{target_host}}/{target_port}/", "/masque/{}/{target_port}",
        "/masque/{+target_host}/{target_port}/", "/masque/{#target_host}/{target_port}/",
        "/masque{.target_host}/{target_port}/", "/masque{/target_host}/{target_port}/",
        "/masque{;target_host}/{target_port}/", "/masque/{=target_host}/{target_port}",
        "/masque/{target_host*}/{target_port}/", "/masque/{target_host:3}/{target_port}/",
        "/masque/{target_host}/{target_host}/{target_port}", "/masque/{target_host}/{target_port}/#frag",
        "/masque /{target_host}/{target_port}/", "/m\u00e4sque/{target_host}/{target_port}/",
        "masque/{target_host}/{target_port}/", "https://{target_host}/{target_port}/",
        "https://relay.example", "https:///{target_host}/{target_port}/", "ht tp://r/{target_host}/{target_port}/",
        "1https://r/{target_host}/{target_port}/", "https://r?{target_host}/{target_port}"
    })
    void rejectsBadTemplates(String template) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConnectUdpTemplate.parse(template));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @Test
    void badTemplateMessagesNameTheProblem() {
        assertTrue(parseError("/m/{target_host}/").contains("target_port"));
        assertTrue(parseError("/m/{target_host}/{port}").contains("port"));
        assertTrue(parseError("/m/{+target_host}/{target_port}").contains("+"));
        assertTrue(parseError(null).contains("empty"));
    }

    private static String parseError(String template) {
        return assertThrows(IllegalArgumentException.class, () -> ConnectUdpTemplate.parse(template)).getMessage();
    }

    @Test
    void percentCodecHelpers() throws Refusal {
        assertEquals("a:b", ConnectUdpTemplate.percentDecode("a%3Ab"));
        assertEquals("plain", ConnectUdpTemplate.percentDecode("plain"));
        assertThrows(Refusal.class, () -> ConnectUdpTemplate.percentDecode("%\uff11\uff11"));
        assertEquals("%3A%2F", ConnectUdpTemplate.percentEncode(":/"));
    }

    /** Found by fuzzing (ConnectUdpTemplateFuzzTest): two targets expanded to the same path. */
    @Test
    void templatesWhoseValuesHaveNoClearEndAreRefused() {
        for (String t : List.of("/{&target_port}{target_host}kkk", "/{target_port}1{target_host}",
                "/{target_host}{target_port}", "/m?{target_host}x{&target_port}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConnectUdpTemplate.parse(t), t);
            assertTrue(e.getMessage().contains("no clear end"), e.getMessage());
        }
        ConnectUdpTemplate.parse("/m{?target_host}{&target_port}");
        ConnectUdpTemplate.parse("/{target_port}/{target_host}");
    }
}
