package org.masquerelay.server;

import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.PeerException;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.ProxyStatus;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
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

    /** Connects from {@code local} and waits until the relay has either served a tunnel or closed the connection. */
    private NettyH3Client connectFrom(String local) throws Exception {
        return relay.client(NettyH3Client.Options.defaults().trusting(relay.caCertificate())
                .from(InetAddress.getByName(local)));
    }

    /** The relay closed this connection as refused: H3_EXCESSIVE_LOAD, with why. */
    private static void assertRefusedConnection(NettyH3Client client, String why) throws Exception {
        assertTrue(client.quicChannel().closeFuture().await(T.toMillis()), "the relay closes a refused connection");
        NettyH3Client.ConnectionClose close = client.connectionClose().orElseThrow();
        assertEquals(H3.H3_EXCESSIVE_LOAD, close.error(), close.toString());
        assertTrue(close.reason().contains(why), close.reason());
    }

    private void assertServed(NettyH3Client client) {
        Tunnel tunnel = client.openTcp(echoTarget(), Map.of(), null);
        assertEquals(200, tunnel.awaitResponse(T).status());
        assertEchoes(tunnel, "served");
    }

    @Test
    void oneAddressHasItsShareOfConnectionsAndAnotherAddressIsServed() throws Exception {
        NettyH3Client first = client(s -> s.clientLimits(ClientLimits.defaults().withPerAddress(2, 0)));
        NettyH3Client second = connectFrom("127.0.0.1");
        assertServed(first);
        assertServed(second);
        NettyH3Client third = connectFrom("127.0.0.1");
        assertRefusedConnection(third, "2 connections from this address open already");

        assertServed(connectFrom("127.0.0.2"));
        assertServed(first);

        // A connection that ends gives its place back (the relay learns of it from the CONNECTION_CLOSE).
        second.close();
        for (int attempt = 1; ; attempt++) {
            NettyH3Client next = connectFrom("127.0.0.1");
            if (!next.quicChannel().closeFuture().await(200)) {
                assertServed(next);
                break;
            }
            if (attempt >= 50) {
                fail("the closed connection's place was not given back");
            }
        }
    }

    @Test
    void anAddressOpeningConnectionsTooFastIsRefusedWhileAnotherIsServed() throws Exception {
        // 1 a second, bursts of 2: six handshakes in a row outrun it unless they take over 4 s.
        client(s -> s.clientLimits(ClientLimits.defaults().withPerAddress(0, 1)));
        List<NettyH3Client> more = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            more.add(connectFrom("127.0.0.1"));
        }
        int refused = 0;
        for (NettyH3Client client : more) {
            try {
                Tunnel tunnel = client.openTcp(echoTarget(), Map.of(), null);
                if (tunnel.awaitResponse(T).status() == 200) {
                    continue;
                }
            } catch (PeerException e) {
                // the connection was closed under the request: refused, as checked below
            }
            assertRefusedConnection(client, "more than 1 new connections a second");
            refused++;
        }
        assertTrue(refused >= 1, "refused " + refused + " of 5");
        assertServed(connectFrom("127.0.0.2"));
    }
}
