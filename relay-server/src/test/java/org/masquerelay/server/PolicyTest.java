package org.masquerelay.server;

import org.masquerelay.policy.AddressPolicy;
import org.masquerelay.policy.AddressRule;
import org.masquerelay.policy.Cidr;
import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.policy.PortRange;
import org.masquerelay.policy.RelayPolicy;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.ProxyStatus;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.masquerelay.server.RelayFixture.T;

/**
 * The destination policy end to end through the relay: NERelayManager precedence on names (checked before DNS, so a
 * refused name is 403 and a permitted but unresolvable one is 502 dns_error), then the address policy on what the
 * name resolved to.
 */
class PolicyTest extends RelayTestBase {
    private NettyH3Client client(DomainPolicy domains, AddressPolicy addresses) throws IOException {
        relay = RelayFixture.start(dir, s -> s.policy(new RelayPolicy(domains, addresses)));
        return relay.client();
    }

    /** The status and the Proxy-Status error type of the answer to CONNECT host:port. */
    private static String outcome(NettyH3Client client, String host, int port) {
        Tunnel tunnel = client.openTcp(host + ":" + port, Map.of(), null);
        Tunnel.Response response = tunnel.awaitResponse(T);
        if (response.status() == 200) {
            byte[] bytes = ("via " + host).getBytes(StandardCharsets.US_ASCII);
            tunnel.write(bytes);
            assertArrayEquals(bytes, tunnel.readBytes(bytes.length, T));
            tunnel.cancel();
            return "200";
        }
        List<ProxyStatus> status = ProxyStatus.parse(response.header("proxy-status").orElseThrow());
        return response.status() + " " + status.get(0).error();
    }

    @Test
    void excludedWinsOverMatched() throws IOException {
        NettyH3Client client = client(new DomainPolicy(List.of("localhost", "invalid"), List.of("nope.invalid"),
                List.of(), List.of("localhost")), AddressPolicy.loopbackOnly());
        // Matched by matchDomains, excluded by excludedFQDNs: excluded wins, refused before DNS or any connect.
        assertEquals("403 http_request_denied", outcome(client, "localhost", echo.port()));
        assertEquals("403 http_request_denied", outcome(client, "LocalHost.", echo.port()));
        // Matched by matchDomains "invalid", excluded by excludedDomains "nope.invalid" (and everything under it).
        assertEquals("403 http_request_denied", outcome(client, "a.nope.invalid", 80));
        // A sibling passes the name check; it then fails DNS, which proves the policy let it through.
        assertEquals("502 dns_error", outcome(client, "yes.invalid", 80));
        // With match lists set, IP literals are never matched by domain rules.
        assertEquals("403 http_request_denied", outcome(client, "127.0.0.1", echo.port()));
        assertEquals(0, echo.connectionsAccepted());
    }

    @Test
    void matchDomainsCoverSubdomainsButNotLookAlikes() throws IOException {
        NettyH3Client client = client(new DomainPolicy(List.of("localhost", "invalid"), List.of(), List.of(),
                List.of()), AddressPolicy.loopbackOnly());
        assertEquals("200", outcome(client, "localhost", echo.port()));
        assertEquals("200", outcome(client, "LOCALHOST.", echo.port()));
        // Subdomains pass the name check (then fail DNS here); look-alikes are refused before DNS.
        assertEquals("502 dns_error", outcome(client, "deep.sub.invalid", 80));
        assertEquals("403 http_request_denied", outcome(client, "notinvalid", 80));
        assertEquals("403 http_request_denied", outcome(client, "badlocalhost", echo.port()));
        assertEquals("403 http_request_denied", outcome(client, "localhost.evil", echo.port()));
        assertEquals(2, echo.connectionsAccepted());
    }

    @Test
    void permittedNameResolvingToADeniedAddressIsRefused() throws IOException {
        // DNS rebinding guard: the name is allowed, but the address policy (defaults: loopback denied) is applied to
        // what it resolves to.
        NettyH3Client client = client(new DomainPolicy(List.of("localhost"), List.of(), List.of(), List.of()),
                AddressPolicy.defaults());
        assertEquals("403 destination_ip_prohibited", outcome(client, "localhost", echo.port()));
        assertEquals(0, echo.connectionsAccepted(), "refused before connecting");
        assertTrue(client.isOpen());
    }

    @Test
    void addressRulesAreOrderedAndPortScoped() throws IOException {
        int port = echo.port();
        int otherPort = port == 65535 ? port - 1 : port + 1;
        NettyH3Client client = client(DomainPolicy.matchAll(), new AddressPolicy(List.of(
                new AddressRule(AddressRule.Action.ALLOW, Cidr.parse("127.0.0.1"), PortRange.single(port)),
                AddressRule.deny("127.0.0.0/8"),
                AddressRule.allow("127.0.0.0/8"))));
        assertEquals("200", outcome(client, "127.0.0.1", port));
        assertEquals("200", outcome(client, "localhost", port));
        // The first matching rule decides: the later allow never applies.
        assertEquals("403 destination_ip_prohibited", outcome(client, "127.0.0.1", otherPort));
        assertEquals("403 destination_ip_prohibited", outcome(client, "127.0.0.2", port));
        assertEquals("403 destination_ip_prohibited", outcome(client, "[::ffff:127.0.0.2]", port));
        assertEquals(2, echo.connectionsAccepted());
    }
}
