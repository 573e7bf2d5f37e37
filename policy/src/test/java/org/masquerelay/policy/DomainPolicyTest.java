package org.masquerelay.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DomainPolicyTest {

    private static final String HOST = "www.example.com";

    /** Every combination of the four lists holding (a rule for) the host, with and without other match entries. */
    static Stream<Arguments> combinations() {
        return IntStream.range(0, 32).mapToObj(bits -> Arguments.of(
                (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0));
    }

    @ParameterizedTest(name = "matchDomain={0} matchFQDN={1} excludedDomain={2} excludedFQDN={3} filler={4}")
    @MethodSource("combinations")
    void excludedAlwaysBeatsMatched(boolean inMatchDomains, boolean inMatchFqdns, boolean inExcludedDomains,
                                    boolean inExcludedFqdns, boolean otherMatchEntries) {
        List<String> matchDomains = new ArrayList<>();
        List<String> matchFqdns = new ArrayList<>();
        if (otherMatchEntries) {
            matchDomains.add("unrelated.org");
            matchFqdns.add("host.unrelated.org");
        }
        if (inMatchDomains) {
            matchDomains.add("example.com");
        }
        if (inMatchFqdns) {
            matchFqdns.add(HOST);
        }
        List<String> excludedDomains = inExcludedDomains ? List.of("example.com") : List.of("other.net");
        List<String> excludedFqdns = inExcludedFqdns ? List.of(HOST) : List.of("x.other.net");
        DomainPolicy policy = new DomainPolicy(matchDomains, excludedDomains, matchFqdns, excludedFqdns);

        boolean excluded = inExcludedDomains || inExcludedFqdns;
        boolean matchListsEmpty = matchDomains.isEmpty() && matchFqdns.isEmpty();
        boolean matched = matchListsEmpty || inMatchDomains || inMatchFqdns;
        PolicyDecision d = policy.decide(HOST);
        assertEquals(matched && !excluded, d.allowed(), d.reason());
        if (!d.allowed()) {
            assertEquals(org.masquerelay.wire.ProxyError.HTTP_REQUEST_DENIED, d.proxyError());
        }
    }

    @Test
    void excludedSubdomainInsideMatchedDomain() {
        DomainPolicy p = new DomainPolicy(List.of("example.com"), List.of("corp.example.com"), List.of(), List.of());
        assertTrue(p.decide("www.example.com").allowed());
        assertTrue(p.decide("example.com").allowed());
        PolicyDecision d = p.decide("vpn.corp.example.com");
        assertFalse(d.allowed());
        assertEquals("vpn.corp.example.com is excluded by excludedDomains entry 'corp.example.com'", d.reason());
        assertFalse(p.decide("corp.example.com").allowed());
    }

    @Test
    void matchedFqdnInsideExcludedDomainStaysExcluded() {
        DomainPolicy p = new DomainPolicy(List.of(), List.of("example.com"), List.of("www.example.com"), List.of());
        assertFalse(p.decide("www.example.com").allowed());
    }

    @Test
    void subdomainBoundaryIsALabel() {
        DomainPolicy p = new DomainPolicy(List.of("example.com"), List.of(), List.of(), List.of());
        assertTrue(p.decide("a.b.example.com").allowed());
        assertFalse(p.decide("badexample.com").allowed());
        assertFalse(p.decide("example.com.evil.net").allowed());
        assertFalse(p.decide("com").allowed());
        DomainPolicy excl = new DomainPolicy(List.of(), List.of("example.com"), List.of(), List.of());
        assertTrue(excl.decide("badexample.com").allowed());
    }

    @Test
    void fqdnsAreExact() {
        DomainPolicy p = new DomainPolicy(List.of(), List.of(), List.of("api.example.com"), List.of());
        assertTrue(p.decide("api.example.com").allowed());
        assertFalse(p.decide("v2.api.example.com").allowed());
        assertFalse(p.decide("example.com").allowed());
        DomainPolicy excl = new DomainPolicy(List.of(), List.of(), List.of(), List.of("api.example.com"));
        assertFalse(excl.decide("api.example.com").allowed());
        assertTrue(excl.decide("v2.api.example.com").allowed());
    }

    @Test
    void trailingDotsAndCaseAreIgnoredOnBothSides() {
        DomainPolicy p = new DomainPolicy(List.of("Example.COM."), List.of("CORP.example.com"),
                List.of("Host.Other.ORG."), List.of("Secret.Example.com."));
        assertTrue(p.decide("WWW.EXAMPLE.COM.").allowed());
        assertTrue(p.decide("host.other.org").allowed());
        assertTrue(p.decide("HOST.OTHER.ORG.").allowed());
        assertFalse(p.decide("x.corp.example.com.").allowed());
        assertFalse(p.decide("secret.example.com").allowed());
        assertEquals(List.of("example.com"), p.matchDomains());
    }

    @Test
    void emptyMatchListsMatchEverythingButTheExcluded() {
        DomainPolicy p = new DomainPolicy(List.of(), List.of("ads.example"), List.of(), List.of());
        assertTrue(p.decide("anything.at.all").allowed());
        assertFalse(p.decide("tracker.ads.example").allowed());
        assertTrue(DomainPolicy.matchAll().decide("example.org").allowed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.1", "2001:db8::1", "[2001:db8::1]"})
    void ipLiteralsAreMatchedOnlyWhenMatchListsAreEmpty(String ip) {
        assertTrue(DomainPolicy.matchAll().decide(ip).allowed());
        DomainPolicy withDomains = new DomainPolicy(List.of("example.com"), List.of(), List.of(), List.of());
        PolicyDecision d = withDomains.decide(ip);
        assertFalse(d.allowed());
        assertTrue(d.reason().contains("domain rules never match IP addresses"), d.reason());
        DomainPolicy withFqdns = new DomainPolicy(List.of(), List.of(), List.of("a.example.com"), List.of());
        assertFalse(withFqdns.decide(ip).allowed());
        // Excluded domain rules do not touch IP literals either.
        DomainPolicy excluding = new DomainPolicy(List.of(), List.of("example.com"), List.of(), List.of("x.example"));
        assertTrue(excluding.decide(ip).allowed());
    }

    @Test
    void reasonsNameTheEntry() {
        DomainPolicy p = new DomainPolicy(List.of("example.com"), List.of(), List.of("a.test"), List.of("b.test"));
        assertEquals("www.example.com is matched by matchDomains entry 'example.com'",
                p.decide("www.example.com").reason());
        assertEquals("a.test is matched by matchFQDNs entry 'a.test'", p.decide("a.test").reason());
        assertEquals("b.test is excluded by excludedFQDNs entry 'b.test'", p.decide("b.test").reason());
        PolicyDecision allowed = p.decide("a.test");
        assertNull(allowed.proxyError());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bad name.com", "a..b", ".", "ex/ample", "a.b:443"})
    void invalidHostsAreDenied(String host) {
        assertFalse(DomainPolicy.matchAll().decide(host).allowed());
    }

    @Test
    void badEntriesAreRefusedWithTheListName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DomainPolicy(List.of("*.example.com"), List.of(), List.of(), List.of()));
        assertTrue(e.getMessage().startsWith("matchDomains: '*.example.com' is not a domain name (write 'example.com'"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DomainPolicy(List.of(), List.of(), List.of(), List.of("10.0.0.1")));
        assertTrue(e.getMessage().startsWith("excludedFQDNs: '10.0.0.1' is an IP address"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new DomainPolicy(List.of(), List.of("exa mple.com"), List.of(), List.of()));
    }
}
