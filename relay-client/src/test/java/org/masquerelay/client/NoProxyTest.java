package org.masquerelay.client;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** curl's NO_PROXY reading: names with their subdomains, addresses, CIDRs, '*'. */
class NoProxyTest {
    @Test
    void namesCoverTheirSubdomainsAndNothingElse() {
        NoProxy p = NoProxy.parse(" localhost, .corp.example ,*.lan:8080,");
        assertEquals(Optional.of("localhost"), p.match("LOCALHOST"));
        assertEquals(Optional.of("corp.example"), p.match("a.b.corp.example"));
        assertEquals(Optional.of("corp.example"), p.match("corp.example."));
        assertEquals(Optional.of("lan"), p.match("printer.lan"));
        assertFalse(p.match("notcorp.example").isPresent());
        assertFalse(p.match("example.com").isPresent());
    }

    @Test
    void addressesAndCidrsMatchAddressesOnly() {
        NoProxy p = NoProxy.parse("10.0.0.0/8,::1,192.168.1.7");
        assertTrue(p.match("10.20.30.40").isPresent());
        assertTrue(p.match("[::1]").isPresent());
        assertTrue(p.match("192.168.1.7").isPresent());
        assertFalse(p.match("192.168.1.8").isPresent());
        assertFalse(p.match("11.0.0.1").isPresent());
    }

    @Test
    void starIsEverythingAndEmptyIsNothing() {
        assertTrue(NoProxy.parse("*").match("anything.example").isPresent());
        assertTrue(NoProxy.parse("").isEmpty());
        assertTrue(NoProxy.parse(null).isEmpty());
        Route r = RoutePolicy.relayEverything().exceptFor(NoProxy.parse("example.com")).decide("www.example.com");
        assertFalse(r.relayed());
        assertTrue(r.reason().contains("NO_PROXY"), r.reason());
    }
}
