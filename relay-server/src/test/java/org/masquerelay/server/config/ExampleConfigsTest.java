package org.masquerelay.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.wire.IpLiteral;
import org.masquerelay.policy.RelayPolicy;

/** The shipped example files must load as they are (only their /etc/relay paths point at test files). */
class ExampleConfigsTest {

    private static final Path CONFIGS = Path.of("../configs");

    @TempDir
    Path dir;

    /** The example with /etc/relay/ redirected to a folder holding files of those names. */
    private Path copy(String name) throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc-relay"));
        Files.writeString(etc.resolve("server.pem"), "x");
        Files.writeString(etc.resolve("server-key.pem"), "x");
        String text = Files.readString(CONFIGS.resolve(name)).replace("/etc/relay/", etc + "/");
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void fullExampleLoadsWithEveryValue() throws Exception {
        RelayConfig c = ConfigLoader.load(copy("relay.example.yaml"));
        assertEquals(List.of(new ListenAddress("0.0.0.0", 4433), new ListenAddress("::", 4433)), c.listen());
        assertEquals("relay.example.com", c.serverName());
        TlsConfig.PemFiles tls = (TlsConfig.PemFiles) c.tls().orElseThrow();
        assertEquals("server.pem", tls.certificate().getFileName().toString());
        assertEquals("https://relay.example.com:4433/masque/udp/{target_host}/{target_port}/",
                c.connectUdp().template());
        RelayPolicy p = c.policy();
        assertTrue(p.checkName("anything.example").allowed());
        assertTrue(p.checkAddress(IpLiteral.toInetAddress("203.0.113.5"), 443).allowed());
        assertFalse(p.checkAddress(IpLiteral.toInetAddress("198.51.100.5"), 443).allowed());
        assertFalse(p.checkAddress(IpLiteral.toInetAddress("10.0.0.1"), 443).allowed());
        assertEquals("authorization", c.auth().orElseThrow().header());
        assertTrue(c.auth().orElseThrow().accepts("Bearer s3cret"));
        assertEquals(407, c.auth().orElseThrow().failureStatus());
        assertEquals(Timeouts.defaults(), c.timeouts());
        assertEquals(Duration.ofMillis(250), c.timeouts().happyEyeballsDelay());
        assertEquals(Limits.defaults(), c.limits());
        assertEquals(LogLevel.INFO, c.logLevel());
    }

    @Test
    void minimalExampleKeepsTheDefaults() throws Exception {
        RelayConfig c = ConfigLoader.load(copy("minimal.yaml"));
        RelayConfig d = RelayConfig.defaults();
        assertTrue(c.tls().isPresent());
        assertEquals(d.listen(), c.listen());
        assertEquals(d.limits(), c.limits());
        assertTrue(c.auth().isEmpty());
        assertFalse(c.policy().checkAddress(IpLiteral.toInetAddress("169.254.169.254"), 80).allowed());
    }

    /** The README runs `certs --dir /etc/relay` and then checks these files: they must name what certs writes. */
    @Test
    void examplesNameTheFilesCertsWrites() throws Exception {
        var written = org.masquerelay.server.certs.CertificateTool.create(dir.resolve("etc-relay"), List.of("relay.example.com"), false);
        for (String name : List.of("relay.example.yaml", "minimal.yaml")) {
            TlsConfig.PemFiles tls = (TlsConfig.PemFiles) ConfigLoader.load(copy(name)).tls().orElseThrow();
            assertEquals(written.serverCertificate().getFileName(), tls.certificate().getFileName(), name);
            assertEquals(written.serverKey().getFileName(), tls.privateKey().getFileName(), name);
        }
    }

    @Test
    void everyKeyOfTheModelAppearsInTheFullExample() throws Exception {
        String text = Files.readString(CONFIGS.resolve("relay.example.yaml"));
        for (var keys : List.of(ConfigLoader.TOP_LEVEL_KEYS, TlsReader.KEYS, AuthReader.KEYS, PolicyReader.KEYS)) {
            for (String key : keys) {
                assertTrue(text.contains(key + ":"), key);
            }
        }
    }
}
