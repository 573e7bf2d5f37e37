package org.masquerelay.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.policy.AddressPolicy;
import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.wire.IpLiteral;
import org.masquerelay.policy.RelayPolicy;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private RelayConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "test.yaml", dir);
    }

    @Test
    void defaultsAreSafe() {
        RelayConfig d = RelayConfig.defaults();
        assertEquals(List.of(new ListenAddress("0.0.0.0", 443), new ListenAddress("::", 443)), d.listen());
        assertTrue(d.tls().isEmpty());
        assertTrue(d.auth().isEmpty());
        assertFalse(d.policy().checkAddress(IpLiteral.toInetAddress("127.0.0.1"), 80).allowed(), "not an open proxy");
        assertFalse(d.serverName().isBlank());
        assertEquals(LogLevel.INFO, d.logLevel());
        assertEquals(QuicEngine.AUTO, d.engine());
    }

    @Test
    void engineIsChosenByName() {
        assertEquals(QuicEngine.QUICHE, parse("engine: quiche\n").engine());
        assertEquals(QuicEngine.KWIK, parse("engine: Kwik\n").engine());
    }

    @Test
    void fleetServerIdIsReadAsHexOrInteger() {
        assertEquals("0x0a01", parse("fleet: {server-id: \"0x0a01\"}\n").serverId().orElseThrow().toString());
        assertEquals("0x0007", parse("fleet: {server-id: 7}\n").serverId().orElseThrow().toString());
        assertEquals("0x07", parse("fleet: {server-id: 7, server-id-length: 1}\n").serverId().orElseThrow().toString());
        assertTrue(parse("# nothing\n").serverId().isEmpty(), "random connection IDs by default");
    }

    @Test
    void emptyFileIsTheDefaults() {
        RelayConfig c = parse("# nothing\n");
        RelayConfig d = RelayConfig.defaults();
        assertEquals(d.listen(), c.listen());
        assertEquals(d.limits(), c.limits());
        assertEquals(d.timeouts(), c.timeouts());
    }

    @Test
    void fileOverridesOnlyWhatItSets() {
        RelayConfig c = parse("""
                limits:
                  tunnels-per-connection: 3
                timeouts:
                  idle: 90s
                log:
                  level: DEBUG
                """);
        assertEquals(3, c.limits().tunnelsPerConnection());
        assertEquals(Limits.defaults().maxConnections(), c.limits().maxConnections());
        assertEquals(Duration.ofSeconds(90), c.timeouts().idle());
        assertEquals(Duration.ofSeconds(10), c.timeouts().connect());
        assertEquals(LogLevel.DEBUG, c.logLevel());
    }

    @Test
    void durationsInEveryUnit() {
        RelayConfig c = parse("""
                timeouts: {connect: 1h, happy-eyeballs-delay: 100ms, idle: 5m, quic-idle: 45s}
                """);
        assertEquals(Duration.ofHours(1), c.timeouts().connect());
        assertEquals(Duration.ofMillis(100), c.timeouts().happyEyeballsDelay());
        assertEquals(Duration.ofMinutes(5), c.timeouts().idle());
        assertEquals(Duration.ofSeconds(45), c.timeouts().quicIdle());
    }

    @Test
    void policySectionBuildsTheRelayPolicy() {
        RelayConfig c = parse("""
                policy:
                  match-domains: [Example.COM.]
                  excluded-domains: [corp.example.com]
                  match-fqdns: [api.other.org]
                  excluded-fqdns: [secret.example.com]
                  addresses:
                    - allow: 127.0.0.0/8
                      ports: 8443
                    - deny: 203.0.113.0/24
                    - allow: "::1"
                      ports: "1-1024"
                """);
        RelayPolicy p = c.policy();
        assertTrue(p.checkName("www.example.com").allowed());
        assertTrue(p.checkName("api.other.org").allowed());
        assertFalse(p.checkName("x.corp.example.com").allowed());
        assertFalse(p.checkName("secret.example.com").allowed());
        assertFalse(p.checkName("unlisted.net").allowed());
        assertTrue(p.checkAddress(IpLiteral.toInetAddress("127.0.0.1"), 8443).allowed());
        assertFalse(p.checkAddress(IpLiteral.toInetAddress("127.0.0.1"), 8444).allowed());
        assertFalse(p.checkAddress(IpLiteral.toInetAddress("203.0.113.1"), 443).allowed());
        assertTrue(p.checkAddress(IpLiteral.toInetAddress("::1"), 1024).allowed());
        assertEquals(3, p.addresses().rules().size());
    }

    @Test
    void relativePathsAreTakenFromTheConfigFolder() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(sub.resolve("cert.pem"), "x");
        Files.writeString(sub.resolve("key.pem"), "x");
        Path file = Files.writeString(sub.resolve("relay.yaml"), "tls: {certificate: cert.pem, private-key: key.pem}\n");
        TlsConfig.PemFiles tls = (TlsConfig.PemFiles) ConfigLoader.load(file).tls().orElseThrow();
        assertEquals(sub.toAbsolutePath().resolve("cert.pem"), tls.certificate());
    }

    @Test
    void pkcs12WithPasswordFile() throws Exception {
        Files.writeString(dir.resolve("id.p12"), "x");
        Files.writeString(dir.resolve("id.pass"), "changeit\n");
        RelayConfig c = parse("tls: {pkcs12: id.p12, pkcs12-password-file: id.pass}\n");
        TlsConfig.Pkcs12File tls = (TlsConfig.Pkcs12File) c.tls().orElseThrow();
        assertEquals("changeit", tls.password(), "the editor's trailing newline is not part of the password");
        assertFalse(tls.toString().contains("changeit"));
        RelayConfig numeric = parse("tls: {pkcs12: id.p12, pkcs12-password: 123456}\n");
        assertEquals("123456", ((TlsConfig.Pkcs12File) numeric.tls().orElseThrow()).password());
    }

    @Test
    void authWithCredentialsAndAFile() throws Exception {
        Files.writeString(dir.resolve("creds"), "# team tokens\nBearer a\n\nBearer b  \n");
        RelayConfig c = parse("""
                auth:
                  credentials: ["Preshared xyz"]
                  credentials-file: creds
                """);
        AuthConfig auth = c.auth().orElseThrow();
        assertEquals(List.of("Preshared xyz", "Bearer a", "Bearer b"), auth.credentials());
        assertEquals("proxy-authorization", auth.header());
        assertEquals(407, auth.failureStatus());
        assertTrue(auth.accepts("Bearer b"));
        assertFalse(auth.accepts("Bearer c"));
        assertFalse(auth.accepts("Bearer"));
        assertFalse(auth.accepts(null));
        assertFalse(auth.toString().contains("xyz"));
    }

    @Test
    void connectUdpTemplateWithQueryVariables() {
        RelayConfig c = parse("connect-udp: {template: \"https://r.example:443/masque{?target_host,target_port}\"}\n");
        assertEquals("https://r.example:443/masque{?target_host,target_port}", c.connectUdp().template());
    }

    @Test
    void clientLimitsAreReadFromLimitsAndTimeouts() {
        RelayConfig c = parse("""
                timeouts: {request-header: 3s}
                limits: {unfinished-requests-per-connection: 5, unfinished-requests: 100, max-tunnels: 0,
                         connections-per-address: 0}
                """);
        ClientLimits l = c.limits().clients();
        assertEquals(Duration.ofSeconds(3), l.requestHeaderTimeout());
        assertEquals(5, l.unfinishedRequestsPerConnection());
        assertEquals(100, l.unfinishedRequests());
        assertEquals(0, l.maxTunnels());
        assertEquals(0, l.connectionsPerAddress());
        assertEquals(ClientLimits.defaults().newTunnelsPerSecond(), l.newTunnelsPerSecond());
    }

    @Test
    void builderOverridesOneThingAtATime() {
        RelayConfig c = parse("limits: {max-connections: 5}\n");
        RelayConfig o = c.newBuilder().listen(List.of(ListenAddress.parse("--listen", "127.0.0.1:0")))
                .policy(new RelayPolicy(DomainPolicy.matchAll(), AddressPolicy.loopbackOnly()))
                .auth(null)
                .logLevel(LogLevel.WARN)
                .serverName("dev-relay")
                .build();
        assertEquals(List.of(new ListenAddress("127.0.0.1", 0)), o.listen());
        assertEquals(5, o.limits().maxConnections());
        assertTrue(o.policy().checkAddress(IpLiteral.toInetAddress("127.0.0.1"), 80).allowed());
        assertEquals("dev-relay", o.serverName());
        assertEquals(LogLevel.WARN, o.logLevel());
    }

    @Test
    void listenAddressesBindWithoutDns() {
        assertEquals("[::]:443", ListenAddress.parse("x", "[::]:443").toString());
        assertTrue(ListenAddress.parse("x", "[::1]:8443").socketAddress().getAddress() instanceof java.net.Inet6Address);
        assertEquals("localhost", ListenAddress.parse("x", "localhost:80").host());
    }
}
