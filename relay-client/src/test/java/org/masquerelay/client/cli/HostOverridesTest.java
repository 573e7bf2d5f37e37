package org.masquerelay.client.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** curl's --resolve / --connect-to syntax, and the environment's relay per URL scheme. */
class HostOverridesTest {
    @Test
    void connectToMovesOnlyWhatMatches() {
        HostOverrides o = HostOverrides.parse(List.of(), List.of("relay.example.com:443:127.0.0.1:4433", "::[::1]:"));
        assertEquals(new HostOverrides.Destination("127.0.0.1", 4433), o.destination("relay.example.com", 443));
        assertEquals(new HostOverrides.Destination("::1", 8443), o.destination("other.example", 8443),
                "empty HOST1/PORT1 match any; empty PORT2 keeps the port");
    }

    @Test
    void mistakesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostOverrides.parse(List.of("relay.example.com:443"), List.of()));
        assertTrue(e.getMessage().startsWith("--resolve 'relay.example.com:443' is not HOST:PORT:ADDRESS"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> HostOverrides.parse(List.of("relay.example.com:443:localhost"), List.of()));
        assertTrue(e.getMessage().contains("'localhost' is not an IP address"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> HostOverrides.parse(List.of(), List.of("a:99999:b:1")));
        assertTrue(e.getMessage().contains("'99999' is not a port"), e.getMessage());
    }

    @Test
    void environmentFollowsCurlsVariables() {
        ProxyEnvironment env = new ProxyEnvironment(Map.of("HTTPS_PROXY", "https://r1/", "HTTP_PROXY", "https://ignored/",
                "ALL_PROXY", "https://r2/", "NO_PROXY", "internal.example"));
        assertEquals("https://r1/", env.relayFor("https").orElseThrow().url());
        // Upper-case HTTP_PROXY is never read (curl: a CGI request's Proxy header would set it).
        assertEquals("https://r2/", env.relayFor("http").orElseThrow().url());
        assertTrue(env.noProxy(null).match("a.internal.example").isPresent());
        assertTrue(env.noProxy("").isEmpty(), "--noproxy '' overrides the variable");
        assertTrue(new ProxyEnvironment(Map.of()).relayFor("https").isEmpty());
    }
}
