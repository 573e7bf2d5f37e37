package org.masquerelay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConnectRequestParserTest {

    private final ConnectRequestParser parser = new ConnectRequestParser(
            List.of(ConnectUdpTemplate.parse("https://relay.example/masque{?target_host,target_port}")));

    private static HttpFields fields(String... nameValues) {
        HttpFields.Builder b = HttpFields.builder();
        for (int i = 0; i < nameValues.length; i += 2) {
            b.add(nameValues[i], nameValues[i + 1]);
        }
        return b.build();
    }

    private static HttpFields connectUdp(String path) {
        return fields(":method", "CONNECT", ":protocol", "connect-udp", ":scheme", "https", ":authority",
                "relay.example", ":path", path, "capsule-protocol", "?1");
    }

    private Refusal error(HttpFields request) {
        return assertThrows(Refusal.class, () -> parser.parse(request));
    }

    private void assertBadRequest(HttpFields request, String messagePart) {
        Refusal e = error(request);
        assertEquals(400, e.httpStatus(), e.getMessage());
        assertEquals(ProxyError.HTTP_REQUEST_ERROR, e.proxyError());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void classicConnect() throws Refusal {
        Optional<TunnelRequest> r = parser.parse(fields(":method", "CONNECT", ":authority", "[2001:db8::1]:443",
                "user-agent", "test", "x-unknown", "fine"));
        assertEquals(Optional.of(new TcpConnectRequest(new Target("2001:db8::1", 443))), r);
    }

    /** Found by fuzzing (ConnectRequestFuzzTest): an empty field name was accepted. */
    @Test
    void malformedFieldLinesAreRefused() {
        assertBadRequest(fields(":method", "CONNECT", ":authority", "example.com:443", "", "x"), "empty name");
        assertBadRequest(fields(":method", "CONNECT", ":authority", "example.com:443", ":", "x"), "empty name");
        assertBadRequest(fields(":method", "CONNECT", ":authority", "example.com:443", "user agent", "x"),
                "character 0x20");
        assertBadRequest(fields(":method", "CONNECT", ":authority", "example.com:443", "user-agent", "a\r\nx: y"),
                "NUL, CR or LF");
        assertBadRequest(fields(":method", "CONNECT", ":authority", "example.com:443", "user-agent", "a\u0000"),
                "NUL, CR or LF");
        assertBadRequest(fields(":method", "CONNECT", ":authority", "example.com:443", "user-agent", " a"),
                "whitespace");
    }

    @Test
    void connectUdpWithTheDefaultTemplate() throws Refusal {
        assertEquals(Optional.of(new UdpConnectRequest(new Target("192.0.2.42", 443))),
                parser.parse(connectUdp("/.well-known/masque/udp/192.0.2.42/443/")));
        assertEquals(Optional.of(new UdpConnectRequest(new Target("2001:db8::42", 53))),
                parser.parse(connectUdp("/.well-known/masque/udp/2001%3Adb8%3A%3A42/53/")));
    }

    @Test
    void connectUdpWithAConfiguredTemplate() throws Refusal {
        assertEquals(Optional.of(new UdpConnectRequest(new Target("example.com", 4433))),
                parser.parse(connectUdp("/masque?target_host=example.com&target_port=4433")));
    }

    /** Issue 15 §4: connect-udp without capsule-protocol got 200. */
    @Test
    void connectUdpNeedsCapsuleProtocol() throws Refusal {
        String path = "/.well-known/masque/udp/192.0.2.42/443/";
        assertBadRequest(fields(":method", "CONNECT", ":protocol", "connect-udp", ":scheme", "https",
                ":authority", "relay.example", ":path", path), "capsule-protocol: ?1");
        assertBadRequest(fields(":method", "CONNECT", ":protocol", "connect-udp", ":scheme", "https",
                ":authority", "relay.example", ":path", path, "capsule-protocol", "?0"), "got '?0'");
        assertEquals(Optional.of(new UdpConnectRequest(new Target("192.0.2.42", 443))),
                parser.parse(fields(":method", "CONNECT", ":protocol", "connect-udp", ":scheme", "https",
                        ":authority", "relay.example", ":path", path, "capsule-protocol", "?1;x=1")));
    }

    /** Issue 15 §4: a host header that differs from :authority was accepted. */
    @Test
    void hostMustMatchAuthority() throws Refusal {
        assertBadRequest(fields(":method", "CONNECT", ":authority", "a.example:443", "host", "b.example:443"),
                "differs from :authority");
        assertEquals(Optional.of(new TcpConnectRequest(new Target("a.example", 443))),
                parser.parse(fields(":method", "CONNECT", ":authority", "a.example:443", "host", "A.example:443")));
        assertBadRequest(fields(":method", "CONNECT", ":protocol", "connect-udp", ":scheme", "https",
                ":authority", "relay.example", ":path", "/.well-known/masque/udp/192.0.2.42/443/",
                "capsule-protocol", "?1", "host", "other.example"), "differs from :authority");
    }

    @Test
    void defaultTemplateIsAlwaysFirst() {
        ConnectRequestParser p = new ConnectRequestParser(List.of());
        assertEquals(ConnectUdpTemplate.DEFAULT_PATH, p.templates().get(0).template());
        assertEquals(2, parser.templates().size());
    }

    @Test
    void nonConnectMethodsAreLeftToTheCaller() throws Refusal {
        assertEquals(Optional.empty(), parser.parse(fields(":method", "GET", ":scheme", "https", ":path", "/",
                ":authority", "relay.example")));
        assertEquals(Optional.empty(), parser.parse(fields(":method", "connect", ":authority", "h:1")));
    }

    @Test
    void methodMustAppearExactlyOnce() {
        assertBadRequest(fields(":authority", "h:1"), ":method");
        assertBadRequest(fields(":method", "CONNECT", ":method", "CONNECT", ":authority", "h:1"), ":method");
    }

    @Test
    void duplicatePseudoHeadersAreMalformed() {
        assertBadRequest(fields(":method", "CONNECT", ":authority", "h:1", ":authority", "h:2"), ":authority");
        HttpFields twoPaths = fields(":method", "CONNECT", ":protocol", "connect-udp", ":scheme", "https",
                ":authority", "r", ":path", "/.well-known/masque/udp/h/1/", ":path", "/x");
        assertBadRequest(twoPaths, ":path");
        assertBadRequest(fields(":method", "CONNECT", ":protocol", "connect-udp", ":protocol", "connect-udp",
                ":scheme", "https", ":authority", "r", ":path", "/.well-known/masque/udp/h/1/"), ":protocol");
    }

    @Test
    void classicConnectMustNotCarrySchemeOrPath() {
        assertBadRequest(fields(":method", "CONNECT", ":authority", "h:1", ":path", "/"),
                "classic CONNECT must not carry :path (RFC 9114 §4.4)");
        assertBadRequest(fields(":method", "CONNECT", ":authority", "h:1", ":scheme", "https"),
                "classic CONNECT must not carry :scheme");
    }

    @Test
    void classicConnectNeedsAValidAuthority() {
        assertBadRequest(fields(":method", "CONNECT"), ":authority");
        assertBadRequest(fields(":method", "CONNECT", ":authority", ""), ":authority");
        assertBadRequest(fields(":method", "CONNECT", ":authority", "example.com"), "port");
        assertBadRequest(fields(":method", "CONNECT", ":authority", "2001:db8::1:443"), "brackets");
    }

    @Test
    void connectUdpNeedsHttpsAuthorityAndPath() {
        assertBadRequest(fields(":method", "CONNECT", ":protocol", "connect-udp", ":authority", "r", ":path",
                "/.well-known/masque/udp/h/1/"), ":scheme");
        assertBadRequest(fields(":method", "CONNECT", ":protocol", "connect-udp", ":scheme", "http", ":authority",
                "r", ":path", "/.well-known/masque/udp/h/1/"), "https");
        assertBadRequest(fields(":method", "CONNECT", ":protocol", "connect-udp", ":scheme", "https", ":path",
                "/.well-known/masque/udp/h/1/"), ":authority");
        assertBadRequest(fields(":method", "CONNECT", ":protocol", "connect-udp", ":scheme", "https", ":authority",
                "r"), ":path");
        assertBadRequest(fields(":method", "CONNECT", ":protocol", "connect-udp", ":scheme", "https", ":authority",
                "r", ":path", ""), ":path");
    }

    @Test
    void unmatchedPathIs404() {
        Refusal e = error(connectUdp("/somewhere/else"));
        assertEquals(404, e.httpStatus());
        assertEquals(ProxyError.HTTP_REQUEST_ERROR, e.proxyError());
        assertTrue(e.getMessage().contains("/somewhere/else"));
    }

    @Test
    void matchedPathWithBadTargetIs400() {
        assertBadRequest(connectUdp("/.well-known/masque/udp/h/0/"), "port");
        assertBadRequest(connectUdp("/masque?target_host=bad%20host&target_port=1"), "target host");
    }

    @Test
    void otherProtocolsAre501() {
        for (String protocol : new String[] {"connect-ip", "websocket", "CONNECT-UDP", ""}) {
            Refusal e = error(fields(":method", "CONNECT", ":protocol", protocol, ":scheme", "https",
                    ":authority", "r", ":path", "/"));
            assertEquals(501, e.httpStatus(), protocol);
        }
    }

    @Test
    void pseudoHeaderRulesOfRfc9114Section4Point3() {
        assertBadRequest(fields(":method", "CONNECT", "user-agent", "x", ":authority", "h:1"), "after a regular");
        assertBadRequest(fields(":method", "CONNECT", ":authority", "h:1", ":status", "200"), ":status");
        assertBadRequest(fields(":method", "CONNECT", ":authority", "h:1", ":foo", "bar"), ":foo");
    }

    @Test
    void connectionSpecificFieldsAreMalformed() throws Refusal {
        for (String name : new String[] {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                "upgrade"}) {
            assertBadRequest(fields(":method", "CONNECT", ":authority", "h:1", name, "x"), name);
        }
        assertBadRequest(fields(":method", "CONNECT", ":authority", "h:1", "te", "gzip"), "te");
        assertTrue(parser.parse(fields(":method", "CONNECT", ":authority", "h:1", "te", "trailers")).isPresent());
    }
}
