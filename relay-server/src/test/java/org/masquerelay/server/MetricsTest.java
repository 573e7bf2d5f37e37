package org.masquerelay.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.certs.CertificateTool;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.PeerException;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.testpeers.UdpEchoServer;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /metrics} of a real relay process, parsed by Prometheus' own parser, after traffic whose counts are known. */
class MetricsTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final int TCP_BYTES = 100_000;
    private static final int DATAGRAMS = 5;

    @TempDir
    Path dir;

    @Test
    void countersMatchKnownTraffic() throws Exception {
        CertificateTool.Result certs = RelayProcess.certificates(dir);
        try (TcpEchoServer tcpEcho = new TcpEchoServer(InetAddress.getLoopbackAddress());
             UdpEchoServer udpEcho = new UdpEchoServer(InetAddress.getLoopbackAddress());
             RelayProcess relay = RelayProcess.start(RelayProcess.config(dir, certs,
                     "admin:\n  listen: 127.0.0.1:0\ntimeouts:\n  quic-idle: 5s\n"))) {
            int admin = relay.adminPort(T);
            PromText before = PromText.scrape(admin);
            assertEquals(1, before.value("masque_relay_ready"), "ready once the listeners are up");
            assertEquals(1, before.value("masque_relay_build_info", "engine", RelayFixture.ENGINE.configName(),
                    "version", org.masquerelay.display.Version.number()), before.text());

            try (NettyH3Client client = NettyH3Client.connect(relay.address(),
                    NettyH3Client.Options.defaults().trusting(certs.caCertificate()))) {
                Tunnel tcp = client.openTcp(tcpEcho.authority(), Map.of(), null);
                assertEquals(200, tcp.awaitResponse(T).status());
                byte[] sent = new byte[TCP_BYTES];
                Arrays.fill(sent, (byte) 'x');
                tcp.write(sent);
                assertArrayEquals(sent, tcp.readBytes(TCP_BYTES, T));
                tcp.shutdownOutput();
                tcp.readToEnd(T);

                Tunnel udp = client.openUdp("localhost", "/.well-known/masque/udp/127.0.0.1/" + udpEcho.port() + "/", Map.of());
                assertEquals(200, udp.awaitResponse(T).status());
                for (int i = 0; i < DATAGRAMS; i++) {
                    byte[] payload = ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
                    udp.sendDatagram(0, payload);
                    assertArrayEquals(payload, udp.receiveDatagram(T));
                }

                Tunnel refused = client.openTcp("10.0.0.1:80", Map.of(), null);
                assertEquals(403, refused.awaitResponse(T).status());

                PromText during = PromText.scrape(admin);
                assertEquals(1, during.value("masque_relay_connections_open", "transport", "h3"), during.text());
                assertEquals(1, during.value("masque_relay_tunnels_open", "kind", "udp", "transport", "h3"), during.text());
                udp.cancel();
            }

            if (RelayFixture.ENGINE == QuicEngine.QUICHE) {
                // A client that does not trust the relay's certificate: a failed handshake, counted when the relay's side
                // of it ends (its alert, or the QUIC idle timeout of 5 s when the client's close does not arrive).
                Path otherCa = RelayProcess.certificates(dir.resolve("other")).caCertificate();
                try (NettyH3Client distrustful = NettyH3Client.connect(relay.address(),
                        NettyH3Client.Options.defaults().trusting(otherCa))) {
                    throw new AssertionError("a client trusting another CA connected: " + distrustful.isOpen());
                } catch (PeerException expected) {
                    // the handshake failed, as meant
                }
            }

            // The tunnels' ends reach the metrics a moment after the client's: wait for them, bounded.
            PromText after = awaitScrape(admin, relay, m -> m.value("masque_relay_tunnels_open", "kind", "udp", "transport", "h3") == 0
                    && m.value("masque_relay_tunnels_open", "kind", "tcp", "transport", "h3") == 0
                    && m.value("masque_relay_connections_open", "transport", "h3") == 0
                    // quiche reports a failed handshake when the connection is gone, after QUIC's draining period
                    && (RelayFixture.ENGINE != QuicEngine.QUICHE || m.sum("masque_relay_handshake_failures_total") >= 1));
            assertEquals(1, after.value("masque_relay_connections_total", "transport", "h3"), after.text());
            assertEquals(1, after.value("masque_relay_tunnels_total", "kind", "tcp", "transport", "h3"));
            assertEquals(1, after.value("masque_relay_tunnels_total", "kind", "udp", "transport", "h3"));
            assertEquals(TCP_BYTES, after.value("masque_relay_tunnel_bytes_total", "kind", "tcp", "direction", "up"));
            assertEquals(TCP_BYTES, after.value("masque_relay_tunnel_bytes_total", "kind", "tcp", "direction", "down"));
            long udpBytes = 0;
            for (int i = 0; i < DATAGRAMS; i++) {
                udpBytes += ("datagram " + i).length();
            }
            assertEquals(udpBytes, after.value("masque_relay_tunnel_bytes_total", "kind", "udp", "direction", "up"));
            assertEquals(udpBytes, after.value("masque_relay_tunnel_bytes_total", "kind", "udp", "direction", "down"));
            assertEquals(DATAGRAMS, after.value("masque_relay_datagrams_total", "direction", "up"));
            assertEquals(DATAGRAMS, after.value("masque_relay_datagrams_total", "direction", "down"));
            assertEquals(1, after.value("masque_relay_refusals_total", "error", "destination_ip_prohibited", "status", "403"),
                    after.text());
            assertEquals(1, after.value("masque_relay_target_connect_seconds_count", "kind", "tcp"));
            assertEquals(1, after.value("masque_relay_tunnel_duration_seconds_count", "kind", "tcp"));
            assertEquals(1, after.value("masque_relay_tunnel_duration_seconds_count", "kind", "udp"));
            if (RelayFixture.ENGINE == QuicEngine.QUICHE) {
                assertTrue(after.sum("masque_relay_handshake_failures_total") >= 1, after.text());
            }
            // Never who or where: no address, target port or server name in any label.
            assertFalse(after.text().contains("127.0.0.1"), after.text());
            assertFalse(after.text().contains("10.0.0.1"), after.text());
            assertFalse(after.text().contains(Integer.toString(tcpEcho.port())), after.text());
        }
    }

    private static PromText awaitScrape(int admin, RelayProcess relay, java.util.function.Predicate<PromText> done) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (true) {
            PromText page = PromText.scrape(admin);
            if (done.test(page)) {
                return page;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("metrics did not settle within " + T + ":\n" + page.text()
                        + "\nrelay output:\n" + relay.output());
            }
            LockSupport.parkNanos(20_000_000); // polled: a scrape is the only way to see the counters
        }
    }
}
