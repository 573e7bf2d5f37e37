package org.masquerelay.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.masquerelay.server.DevMode;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.testpeers.FullListener;
import org.masquerelay.testpeers.TcpEchoServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A refusal always arrives as the refusal, never as a reset, while optimistic data is still going out: the relay
 * answers with a complete response and then stops our sending (STOP_SENDING, RFC 9114 §4.1.1), and a client that
 * reports the failed write instead of the answer turns a 403 into "reset" — Apple's error 53 on our own relay. Each
 * refusal the relay gives is provoked a few hundred times in a loop, with 64 KiB written optimistically, on both
 * relay engines (the client engine is the suite's, see {@link TestEngine}).
 */
@Timeout(300)
class RefusalRaceTest {
    private static final int ROUNDS = 200;
    private static final byte[] CHUNK = new byte[4096];
    private static final int CHUNKS = 16;

    @TempDir
    static Path state;
    static TcpEchoServer echo;
    static int closedPort;

    @BeforeAll
    static void start() throws IOException {
        echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // nothing listens there once closed: connection refused
        }
    }

    @AfterAll
    static void stop() {
        echo.close();
    }

    private static RelayServer relay(QuicEngine engine, UnaryOperator<RelaySettings.Builder> change) throws IOException {
        DevMode.Dev dev = DevMode.prepare(state, List.of(new InetSocketAddress("127.0.0.1", 0)));
        return RelayServer.start(change.apply(dev.settings().newBuilder().engine(engine)).build());
    }

    private static RelayClient.Builder client(RelayServer relay) {
        return TestEngine.builder().relay("https://127.0.0.1:" + relay.addresses().get(0).getPort() + "/")
                .trustCaFile(state.resolve("ca.pem"));
    }

    /** Opens a tunnel, writes 64 KiB at once, then reads: the refusal must surface, with its status and error. */
    private static void assertRefusedEveryTime(RelayClient client, String host, int port, int status, String error, int rounds) {
        for (int i = 0; i < rounds; i++) {
            int round = i;
            IOException failure = assertThrows(IOException.class, () -> {
                try (TcpTunnel tunnel = client.openTcp(host, port)) {
                    OutputStream out = tunnel.outputStream();
                    for (int k = 0; k < CHUNKS; k++) {
                        out.write(CHUNK);
                    }
                    tunnel.inputStream().read();
                }
            });
            RelayException refusal = assertInstanceOf(RelayException.class, failure, () -> "round " + round + ": " + failure);
            assertEquals(status, refusal.status(), () -> "round " + round + ": " + failure);
            assertEquals(error, refusal.proxyError(), () -> "round " + round + ": " + failure);
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuicEngine.class, names = {"KWIK", "QUICHE"})
    void policyRefusal403(QuicEngine engine) throws Exception {
        try (RelayServer relay = relay(engine, UnaryOperator.identity());
             RelayClient client = client(relay).build()) {
            assertRefusedEveryTime(client, "10.0.0.1", 80, 403, "destination_ip_prohibited", ROUNDS);
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuicEngine.class, names = {"KWIK", "QUICHE"})
    void authRefusal407(QuicEngine engine) throws Exception {
        try (RelayServer relay = relay(engine, s -> s.auth(new AuthConfig("proxy-authorization", List.of("Bearer right"), 407)));
             RelayClient client = client(relay).header("proxy-authorization", "Bearer wrong").build()) {
            assertRefusedEveryTime(client, "127.0.0.1", echo.port(), 407, "http_request_denied", ROUNDS);
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuicEngine.class, names = {"KWIK", "QUICHE"})
    void tunnelLimit429(QuicEngine engine) throws Exception {
        try (RelayServer relay = relay(engine, s -> s.tunnelsPerConnection(1));
             RelayClient client = client(relay).build();
             TcpTunnel held = client.openTcp("127.0.0.1", echo.port())) {
            held.awaitEstablished(); // the connection's one tunnel: every further one is over the limit
            assertRefusedEveryTime(client, "127.0.0.1", echo.port(), 429, "connection_limit_reached", ROUNDS);
        }
    }

    /**
     * The other side of the stream limit: tunnels that end normally give their stream back too. A relay allowing four
     * tunnels (so 20 streams) carries a few hundred echo tunnels in a row on one connection. (Four, not one: the
     * relay frees a tunnel's slot just after its last byte, so a client that opens the next tunnel the instant it
     * sees the FIN can meet the previous one still counted.)
     */
    @ParameterizedTest
    @EnumSource(value = QuicEngine.class, names = {"KWIK", "QUICHE"})
    void finishedTunnelsReturnTheirStreams(QuicEngine engine) throws Exception {
        try (RelayServer relay = relay(engine, s -> s.tunnelsPerConnection(4));
             RelayClient client = client(relay).build()) {
            for (int round = 0; round < ROUNDS; round++) {
                try (TcpTunnel tunnel = client.openTcp("127.0.0.1", echo.port())) {
                    tunnel.outputStream().write(CHUNK);
                    tunnel.shutdownOutput();
                    assertEquals(CHUNK.length, tunnel.inputStream().readAllBytes().length, "round " + round);
                }
            }
            assertEquals(1, client.connectionsMade());
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuicEngine.class, names = {"KWIK", "QUICHE"})
    void targetRefused502(QuicEngine engine) throws Exception {
        try (RelayServer relay = relay(engine, UnaryOperator.identity());
             RelayClient client = client(relay).build()) {
            assertRefusedEveryTime(client, "127.0.0.1", closedPort, 502, "connection_refused", ROUNDS);
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuicEngine.class, names = {"KWIK", "QUICHE"})
    void targetTimeout504(QuicEngine engine) throws Exception {
        try (FullListener full = FullListener.open();
             RelayServer relay = relay(engine, s -> s.tunnel(t -> t.connectTimeout(Duration.ofMillis(20))));
             RelayClient client = client(relay).build()) {
            // Each round waits out the connect timeout, so fewer rounds; the race is the same.
            assertRefusedEveryTime(client, "127.0.0.1", full.port(), 504, "connection_timeout", ROUNDS / 4);
        }
    }
}
