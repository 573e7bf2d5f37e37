package org.masquerelay.server;

import org.masquerelay.policy.AddressPolicy;
import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.policy.RelayPolicy;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.testpeers.FullListener;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.ProxyStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.masquerelay.server.RelayFixture.T;
import static org.masquerelay.testpeers.NettyH3Client.header;

/**
 * Every error row of the relay as an answer, never an abort: the status, the Proxy-Status member naming this relay
 * with the right error type, a complete response (FIN, not a reset: Apple's client turns a reset into error 53), and
 * the connection still usable for a good tunnel afterwards.
 */
class ErrorResponsesTest extends RelayTestBase {
    private static final String RELAY_NAME = "relay-dev";
    private static final String HTTP_REQUEST_ERROR = "http_request_error";
    private static final String HTTP_REQUEST_DENIED = "http_request_denied";

    private NettyH3Client client() throws IOException {
        return client(UnaryOperator.identity());
    }

    private String good() {
        return "127.0.0.1:" + echo.port();
    }

    private String relayAuthority() {
        return "127.0.0.1:" + relay.address().getPort();
    }

    /** Asserts the status and the Proxy-Status member (RFC 9209), and that the answer is a complete response. */
    private static Tunnel.Response assertError(Tunnel tunnel, int status, String error) {
        Tunnel.Response response = tunnel.awaitResponse(T);
        assertEquals(status, response.status(), "status; headers " + response.headers());
        String header = response.header("proxy-status").orElseThrow(
                () -> new AssertionError("no proxy-status on the " + status + "; headers " + response.headers()));
        List<ProxyStatus> members = ProxyStatus.parse(header);
        assertEquals(1, members.size(), header);
        ProxyStatus member = members.get(0);
        assertEquals(RELAY_NAME, member.proxyName(), header);
        assertEquals(error, member.error(), header);
        assertTrue(member.details() != null && !member.details().isBlank(), "details say why: " + header);
        assertTrue(tunnel.awaitFin(T), "the error is a complete response ending in FIN, not a reset");
        return response;
    }

    /** A good tunnel on the same connection after the error. */
    private void assertStillUsable(NettyH3Client client, Map<String, String> headers) {
        Tunnel tunnel = client.openTcp(good(), headers, null);
        assertEquals(200, tunnel.awaitResponse(T).status());
        byte[] bytes = "still usable".getBytes(StandardCharsets.US_ASCII);
        tunnel.write(bytes);
        assertArrayEquals(bytes, tunnel.readBytes(bytes.length, T));
        assertEquals(Optional.empty(), client.connectionClose());
        assertTrue(client.isOpen());
    }

    private void assertStillUsable(NettyH3Client client) {
        assertStillUsable(client, Map.of());
    }

    // ------------------------------------------------------------------------------------------------ 400, 404, 501

    @Test
    void classicConnectWithPathIs400() throws IOException {
        NettyH3Client client = client();
        Tunnel tunnel = client.openRaw(List.of(header(":method", "CONNECT"), header(":authority", good()),
                header(":path", "/")), List.of());
        assertError(tunnel, 400, HTTP_REQUEST_ERROR);
        assertEquals(0, echo.connectionsAccepted(), "a malformed request never reaches the target");
        assertStillUsable(client);
    }

    @ParameterizedTest(name = "authority {0}")
    @ValueSource(strings = {"127.0.0.1:0", "127.0.0.1:99999", "localhost", "localhost:", "[::1", "[::1]",
            "::1:443", "user@localhost:80", "localhost:8o"})
    void badAuthorityIs400(String authority) throws IOException {
        NettyH3Client client = client();
        Tunnel tunnel = client.openRaw(List.of(header(":method", "CONNECT"), header(":authority", authority)),
                List.of());
        assertError(tunnel, 400, HTTP_REQUEST_ERROR);
        assertStillUsable(client);
    }

    /** Issue 15 §4: names that cannot be host names went to DNS and came back 502 dns_error. */
    @ParameterizedTest
    @ValueSource(strings = {"-a.com:443", "a-.com:443", "a_b.com:443", "xn--:443", "xn--a.com:443"})
    void namesThatCannotBeHostNamesAre400Not502(String authority) throws IOException {
        NettyH3Client client = client();
        Tunnel tunnel = client.openRaw(List.of(header(":method", "CONNECT"), header(":authority", authority)),
                List.of());
        assertError(tunnel, 400, HTTP_REQUEST_ERROR);
        assertStillUsable(client);
    }

    /** Issue 15 §4: a host header other than :authority, and connect-udp without capsule-protocol, got through. */
    @Test
    void hostOtherThanAuthorityAndConnectUdpWithoutCapsuleProtocolAre400() throws IOException {
        NettyH3Client client = client();
        Tunnel host = client.openRaw(List.of(header(":method", "CONNECT"), header(":authority", good()),
                header("host", "127.0.0.2:" + echo.port())), List.of());
        assertTrue(assertError(host, 400, HTTP_REQUEST_ERROR).header("proxy-status").orElseThrow()
                .contains("differs from :authority"));
        String path = "/.well-known/masque/udp/127.0.0.1/" + echo.port() + "/";
        Tunnel noCapsules = client.openRaw(List.of(header(":method", "CONNECT"), header(":protocol", "connect-udp"),
                header(":scheme", "https"), header(":authority", relayAuthority()), header(":path", path)), List.of());
        assertTrue(assertError(noCapsules, 400, HTTP_REQUEST_ERROR).header("proxy-status").orElseThrow()
                .contains("capsule-protocol"));
        assertStillUsable(client);
    }

    @Test
    void connectUdpWithoutHttpsSchemeIs400() throws IOException {
        NettyH3Client client = client();
        String path = "/.well-known/masque/udp/127.0.0.1/" + echo.port() + "/";
        Tunnel noScheme = client.openRaw(List.of(header(":method", "CONNECT"), header(":protocol", "connect-udp"),
                header(":authority", relayAuthority()), header(":path", path),
                header("capsule-protocol", "?1")), List.of());
        assertError(noScheme, 400, HTTP_REQUEST_ERROR);
        Tunnel http = client.openRaw(List.of(header(":method", "CONNECT"), header(":protocol", "connect-udp"),
                header(":scheme", "http"), header(":authority", relayAuthority()), header(":path", path),
                header("capsule-protocol", "?1")), List.of());
        assertError(http, 400, HTTP_REQUEST_ERROR);
        assertStillUsable(client);
    }

    @Test
    void unknownProtocolIs501() throws IOException {
        NettyH3Client client = client();
        Tunnel tunnel = client.openRaw(List.of(header(":method", "CONNECT"), header(":protocol", "websocket"),
                header(":scheme", "https"), header(":authority", relayAuthority()), header(":path", "/chat")),
                List.of());
        assertError(tunnel, 501, HTTP_REQUEST_ERROR);
        assertStillUsable(client);
    }

    @Test
    void connectUdpOnAPathNoTemplateMatchesIs404() throws IOException {
        NettyH3Client client = client();
        // A custom template's path that this relay was not configured with: a 404, never a reset.
        Tunnel tunnel = client.openUdp(relayAuthority(), "/masque/udp/127.0.0.1/" + echo.port() + "/", Map.of());
        assertError(tunnel, 404, HTTP_REQUEST_ERROR);
        assertStillUsable(client);
    }

    // ------------------------------------------------------------------------------------------------ auth

    @Test
    void missingOrWrongCredentialIs407WithProxyAuthenticate() throws IOException {
        NettyH3Client client = client(s -> s.auth(
                new AuthConfig("authorization", List.of("Bearer s3cret"), 407)));
        Tunnel.Response response;
        try (CapturedLog log = new CapturedLog("org.masquerelay.tunnel")) {
            Tunnel missing = client.openTcp(good(), Map.of(), null);
            response = assertError(missing, 407, HTTP_REQUEST_DENIED);
            // An operator sees the refusal, with the client as people write addresses (no leading slash).
            assertTrue(log.lines().stream().anyMatch(l -> l.matches("INFO  tcp tunnel 127\\.0\\.0\\.1:\\d+ stream \\d+ -> "
                    + java.util.regex.Pattern.quote(good()) + " refused: 407 http_request_denied \\(missing or wrong credential.*")),
                    log.lines().toString());
        }
        assertEquals(Optional.of("Bearer realm=\"relay\""), response.header("proxy-authenticate"));
        assertFalse(response.header("www-authenticate").isPresent());

        Tunnel wrong = client.openTcp(good(), Map.of("authorization", "Bearer guess"), null);
        assertEquals(Optional.of("Bearer realm=\"relay\""),
                assertError(wrong, 407, HTTP_REQUEST_DENIED).header("proxy-authenticate"));
        Tunnel wrongHeader = client.openTcp(good(), Map.of("proxy-authorization", "Bearer s3cret"), null);
        assertError(wrongHeader, 407, HTTP_REQUEST_DENIED);
        assertEquals(0, echo.connectionsAccepted(), "no upstream connection without the credential");

        assertStillUsable(client, Map.of("authorization", "Bearer s3cret"));
    }

    @Test
    void failureStatus401NamesWwwAuthenticate() throws IOException {
        NettyH3Client client = client(s -> s.auth(
                new AuthConfig("authorization", List.of("Bearer s3cret"), 401)));
        Tunnel missing = client.openTcp(good(), Map.of(), null);
        Tunnel.Response response = assertError(missing, 401, HTTP_REQUEST_DENIED);
        assertEquals(Optional.of("Bearer realm=\"relay\""), response.header("www-authenticate"));
        assertFalse(response.header("proxy-authenticate").isPresent());
        assertStillUsable(client, Map.of("authorization", "Bearer s3cret"));
    }

    // ------------------------------------------------------------------------------------------------ policy

    @Test
    void deniedAddressIs403DestinationIpProhibited() throws IOException {
        NettyH3Client client = client();
        // The dev policy allows loopback only; 10.0.0.1 is refused by the address policy before any connect.
        Tunnel tunnel = client.openTcp("10.0.0.1:80", Map.of(), null);
        assertError(tunnel, 403, "destination_ip_prohibited");
        assertStillUsable(client);
    }

    /**
     * The refusal is a complete response while the client's optimistic data is still arriving (Apple's client sends
     * its ClientHello before the answer), never a reset: a few hundred rounds, each with 64 KiB of early data and a
     * client that keeps writing after the answer, then ends its stream as a client does after a refusal.
     */
    @Test
    void refusalWithOptimisticDataInFlightIsAlwaysAnAnswer() throws IOException {
        NettyH3Client client = client();
        byte[] early = new byte[64 * 1024];
        for (int round = 0; round < 200; round++) {
            Tunnel tunnel = client.openTcp("10.0.0.1:80", Map.of(), early);
            try {
                tunnel.write(early);
            } catch (org.masquerelay.testpeers.PeerException stopped) {
                // The relay reads on after its answer only for a while (RequestDrain): a machine slow enough to keep
                // this write going that long gets STOP_SENDING, which is allowed. The answer must still be whole.
            }
            assertError(tunnel, 403, "destination_ip_prohibited");
            assertEquals(Optional.empty(), tunnel.awaitReset(Duration.ZERO), "round " + round + ": no RESET_STREAM");
            tunnel.shutdownOutput();
        }
        assertStillUsable(client);
    }

    @Test
    void excludedNameIs403HttpRequestDenied() throws IOException {
        NettyH3Client client = client(s -> s.policy(new RelayPolicy(
                new DomainPolicy(List.of(), List.of(), List.of(), List.of("localhost")), AddressPolicy.loopbackOnly())));
        Tunnel tunnel = client.openTcp("localhost:" + echo.port(), Map.of(), null);
        assertError(tunnel, 403, HTTP_REQUEST_DENIED);
        assertEquals(0, echo.connectionsAccepted());
        assertStillUsable(client);  // by IP literal, which the (empty) match lists let through
    }

    // ------------------------------------------------------------------------------------------------ upstream

    @Test
    void unresolvableNameIs502DnsError() throws IOException {
        NettyH3Client client = client();
        assertError(client.openTcp("no-such-host.invalid:80", Map.of(), null), 502, "dns_error");
        assertStillUsable(client);
    }

    @Test
    void refusedConnectionIs502ConnectionRefused() throws IOException {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        NettyH3Client client = client();
        assertError(client.openTcp("127.0.0.1:" + closedPort, Map.of(), null), 502, "connection_refused");
        assertStillUsable(client);
    }

    @Test
    void unansweredConnectionIs504ConnectionTimeout() throws IOException {
        // A loopback listener that never accepts, its accept queue filled: a connect neither succeeds nor is refused.
        try (FullListener full = FullListener.open()) {
            NettyH3Client client = client(s -> s.tunnel(t -> t.connectTimeout(Duration.ofMillis(700))));
            long start = System.nanoTime();
            Tunnel tunnel = client.openTcp(full.authority(), Map.of(), null);
            assertError(tunnel, 504, "connection_timeout");
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(millis >= 600 && millis < 5000, "answered after the 700 ms connect timeout, took " + millis);
            assertStillUsable(client);
        }
    }

    // ------------------------------------------------------------------------------------------------ limits

    @Test
    void fourthTunnelOverTheLimitIs429() throws IOException {
        NettyH3Client client = client(s -> s.tunnelsPerConnection(3));
        List<Tunnel> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Tunnel tunnel = client.openTcp(good(), Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(T).status(), "tunnel " + i);
            open.add(tunnel);
        }
        assertError(client.openTcp(good(), Map.of(), null), 429, "connection_limit_reached");
        for (int i = 0; i < 3; i++) {
            byte[] bytes = ("tunnel " + i + " keeps working").getBytes(StandardCharsets.US_ASCII);
            open.get(i).write(bytes);
            assertArrayEquals(bytes, open.get(i).readBytes(bytes.length, T));
        }
        assertTrue(client.isOpen());

        // Ending one tunnel frees its place. The relay releases it just after sending its FIN, so the first
        // attempt may still meet the limit; a bounded number of immediate attempts, no sleeping.
        open.get(0).shutdownOutput();
        assertTrue(open.get(0).awaitFin(T));
        long deadline = System.nanoTime() + T.toNanos();
        for (int attempt = 1; ; attempt++) {
            Tunnel next = client.openTcp(good(), Map.of(), null);
            int status = next.awaitResponse(T).status();
            if (status == 200) {
                byte[] bytes = "a new tunnel in the freed place".getBytes(StandardCharsets.US_ASCII);
                next.write(bytes);
                assertArrayEquals(bytes, next.readBytes(bytes.length, T));
                break;
            }
            assertEquals(429, status);
            if (attempt >= 20 || System.nanoTime() > deadline) {
                fail("the place of the ended tunnel was not freed after " + attempt + " attempts");
            }
        }
        assertEquals(Optional.empty(), client.connectionClose());
    }

    @Test
    void headerSectionOverTheLimitIs431() throws IOException {
        NettyH3Client client = client(s -> s.engineSettings(e -> e.maxFieldSectionSize(512)));
        Tunnel tunnel = client.openTcp(good(), Map.of("x-padding", "p".repeat(2000)), null);
        assertError(tunnel, 431, HTTP_REQUEST_ERROR);
        assertEquals(0, echo.connectionsAccepted());
        assertStillUsable(client);
    }
}
