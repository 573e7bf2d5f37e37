package org.masquerelay.server;

import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.ProxyStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.masquerelay.server.RelayFixture.T;

/**
 * Issue 15 §2: one client's tunnels against the process's open-file limit, in a relay process started with a low
 * soft limit (300). By default the relay-wide tunnel cap, derived from that limit with descriptors kept back, refuses
 * the tunnel that would go past it (503 "tunnels open") before the descriptors run out; with the cap set too high,
 * the shortage itself is answered 503 {@code connection_limit_reached} "out of file descriptors" — never as a
 * destination error — and the relay serves again once tunnels close.
 */
class DescriptorExhaustionTest {
    private static final int OPEN_FILES = 300;
    @TempDir
    Path dir;
    private Process relay;
    private final List<NettyH3Client> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        clients.forEach(NettyH3Client::close);
        if (relay != null) {
            relay.getOutputStream().close();
            if (!relay.waitFor(T.toSeconds(), TimeUnit.SECONDS)) {
                relay.destroyForcibly();
            }
            // The relay's log when something in it failed, for the report (surefire keeps it with the test's output).
            String log = java.nio.file.Files.readString(dir.resolve("relay.log"));
            if (log.contains("Exception") || log.contains("Error")) {
                System.out.println(log);
            }
        }
    }

    private InetSocketAddress start(int maxTunnels) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // -XX:-MaxFDLimit: the JVM would otherwise raise its soft limit to the hard one by itself.
        String command = "ulimit -S -n " + OPEN_FILES + " && exec '" + javaBin + "' -XX:-MaxFDLimit"
                + " --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path") + "' "
                + LowDescriptorRelay.class.getName() + " " + RelayFixture.ENGINE.configName() + " '" + dir + "' "
                + maxTunnels;
        relay = new ProcessBuilder("bash", "-c", command)
                .redirectError(dir.resolve("relay.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("port ")) {
            fail("the relay did not start: " + line + "\n" + java.nio.file.Files.readString(dir.resolve("relay.log")));
        }
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(line.substring(5).trim()));
    }

    private NettyH3Client client(InetSocketAddress relayAddress) {
        NettyH3Client client = NettyH3Client.connect(relayAddress,
                NettyH3Client.Options.defaults().trusting(dir.resolve("ca.pem")));
        clients.add(client);
        return client;
    }

    /** UDP tunnels (one descriptor each) until the relay refuses one; the refusal, with the tunnels still open. */
    private static Tunnel.Response fill(NettyH3Client client, InetSocketAddress relayAddress, List<Tunnel> open) {
        for (int i = 0; i < OPEN_FILES; i++) {
            Tunnel tunnel = client.openUdp("127.0.0.1:" + relayAddress.getPort(),
                    "/.well-known/masque/udp/127.0.0.1/9/", Map.of());
            Tunnel.Response response = tunnel.awaitResponse(T);
            if (response.status() != 200) {
                return response;
            }
            open.add(tunnel);
        }
        throw new AssertionError(OPEN_FILES + " tunnels under an open-file limit of " + OPEN_FILES);
    }

    private static ProxyStatus proxyStatus(Tunnel.Response response) {
        return ProxyStatus.parse(response.header("proxy-status").orElseThrow(
                () -> new AssertionError("no proxy-status: " + response.headers()))).get(0);
    }

    @Test
    void theDerivedTunnelCapStopsOneClientBeforeTheDescriptorsRunOut() throws Exception {
        InetSocketAddress address = start(0);
        List<Tunnel> open = new ArrayList<>();
        Tunnel.Response refused = fill(client(address), address, open);
        assertEquals(503, refused.status(), refused.headers().toString());
        ProxyStatus member = proxyStatus(refused);
        assertEquals("connection_limit_reached", member.error());
        assertTrue(member.details().contains("tunnels open"), member.details());
        // Descriptors were kept back: the relay still takes a new connection and answers it.
        Tunnel pvd = client(address).openRaw(List.of(NettyH3Client.header(":method", "GET"),
                NettyH3Client.header(":scheme", "https"), NettyH3Client.header(":authority", "localhost"),
                NettyH3Client.header(":path", "/.well-known/pvd")), List.of());
        assertEquals(200, pvd.awaitResponse(T).status());
    }

    @Test
    void runningOutOfDescriptorsIs503NotADestinationError() throws Exception {
        InetSocketAddress address = start(100_000);
        List<Tunnel> open = new ArrayList<>();
        NettyH3Client client = client(address);
        Tunnel.Response refused = fill(client, address, open);
        assertEquals(503, refused.status(), refused.headers().toString());
        ProxyStatus member = proxyStatus(refused);
        assertEquals("connection_limit_reached", member.error(), member.toString());
        assertTrue(member.details().contains("file descriptors"), member.details());

        // Tunnels closing give the descriptors back: served again.
        for (int i = 0; i < 10; i++) {
            open.get(i).cancel();
        }
        for (int attempt = 1; ; attempt++) {
            Tunnel next = client.openUdp("127.0.0.1:" + address.getPort(), "/.well-known/masque/udp/127.0.0.1/9/",
                    Map.of());
            int status = next.awaitResponse(T).status();
            if (status == 200) {
                break;
            }
            assertEquals(503, status);
            if (attempt >= 50) {
                fail("no tunnel after closing ten");
            }
        }
    }
}
