package org.masquerelay.server;

import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.ProxyStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.masquerelay.server.RelayFixture.T;

/**
 * Issue 15 §2–§3 and issue 13 §4, tunnels: a relay-wide cap (every tunnel holds a descriptor) answered with 503, and a
 * cap on how fast one connection opens tunnels answered with 429 — both {@code connection_limit_reached}, and
 * neither costs anyone their connection.
 */
class ClientLimitsTest extends RelayTestBase {

    private String echoTarget() {
        return "127.0.0.1:" + echo.port();
    }

    private static void assertLimit(Tunnel.Response response, int status, String detail) {
        assertEquals(status, response.status(), "headers " + response.headers());
        ProxyStatus member = ProxyStatus.parse(response.header("proxy-status").orElseThrow()).get(0);
        assertEquals("connection_limit_reached", member.error());
        assertTrue(member.details().contains(detail), member.details());
    }

    private static void assertEchoes(Tunnel tunnel, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        tunnel.write(bytes);
        assertArrayEquals(bytes, tunnel.readBytes(bytes.length, T));
    }

    @Test
    void theRelayWideTunnelCapIs503AndFreesWithTheTunnel() throws Exception {
        NettyH3Client first = client(s -> s.clientLimits(ClientLimits.defaults().withMaxTunnels(3)));
        NettyH3Client other = relay.client();
        List<Tunnel> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Tunnel tunnel = first.openTcp(echoTarget(), Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(T).status(), "tunnel " + i);
            open.add(tunnel);
        }
        assertLimit(other.openTcp(echoTarget(), Map.of(), null).awaitResponse(T), 503, "3 tunnels");
        assertLimit(other.openUdp("127.0.0.1:" + relay.address().getPort(),
                "/.well-known/masque/udp/127.0.0.1/9/", Map.of()).awaitResponse(T), 503, "3 tunnels");
        assertEchoes(open.get(2), "the open tunnels carry on");

        // One ends: its place is free for anyone (released just after its FIN, so a few immediate attempts).
        open.get(0).shutdownOutput();
        assertTrue(open.get(0).awaitFin(T));
        for (int attempt = 1; ; attempt++) {
            Tunnel next = other.openTcp(echoTarget(), Map.of(), null);
            int status = next.awaitResponse(T).status();
            if (status == 200) {
                assertEchoes(next, "in the freed place");
                break;
            }
            assertEquals(503, status);
            if (attempt >= 20) {
                fail("the ended tunnel's place was not freed after " + attempt + " attempts");
            }
        }
        assertEquals(Optional.empty(), other.connectionClose());
        assertEquals(Optional.empty(), first.connectionClose());
    }

    @Test
    void aConnectionOpeningTunnelsTooFastGets429WhileOthersAreServed() throws Exception {
        // 1 a second with bursts of 2: of 8 requests sent at once, most are refused however slow the machine.
        NettyH3Client fast = client(s -> s.clientLimits(ClientLimits.defaults().withNewTunnelsPerSecond(1)));
        List<Tunnel> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            burst.add(fast.openTcp(echoTarget(), Map.of(), null));
        }
        int accepted = 0;
        for (Tunnel tunnel : burst) {
            Tunnel.Response response = tunnel.awaitResponse(T);
            if (response.status() == 200) {
                accepted++;
            } else {
                assertLimit(response, 429, "faster than 1 a second");
            }
        }
        // The burst, and what the rate adds while the requests are read (slowly on a loaded machine).
        assertTrue(accepted >= 2 && accepted <= 6, accepted + " of 8 accepted");

        Tunnel other = relay.client().openTcp(echoTarget(), Map.of(), null);
        assertEquals(200, other.awaitResponse(T).status(), "another connection has its own rate");
        assertEchoes(other, "served");
        assertEquals(Optional.empty(), fast.connectionClose());
    }
}
