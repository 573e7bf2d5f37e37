package org.masquerelay.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each kind of bad configuration is refused with a message that names the key. */
class ConfigErrorsTest {

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("cert.pem"), "x");
        Files.writeString(dir.resolve("key.pem"), "x");
        Files.writeString(dir.resolve("id.p12"), "x");
    }

    private ConfigException fails(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "relay.yaml", dir));
    }

    private void failsWith(String yaml, String message) {
        assertEquals(message, fails(yaml).getMessage());
    }

    @Test
    void badCidr() {
        ConfigException e = fails("""
                policy:
                  addresses:
                    - allow: 203.0.113.0/24
                    - allow: 10.0.0.0/33
                """);
        assertEquals("policy.addresses[1].allow: '10.0.0.0/33' is not a CIDR (prefix length must be 0..32)",
                e.getMessage());
        assertEquals("policy.addresses[1].allow", e.keyPath());
        failsWith("policy: {addresses: [{deny: 10.1.2.3/8}]}", "policy.addresses[0].deny: '10.1.2.3/8' is not a CIDR"
                + " (host bits are set after the /8 prefix; did you mean 10.0.0.0/8?)");
    }

    @Test
    void badRuleShape() {
        failsWith("policy: {addresses: [{allow: 10.0.0.0/8, deny: 10.0.0.0/8}]}",
                "policy.addresses[0]: give allow or deny, not both");
        failsWith("policy: {addresses: [{ports: 443}]}",
                "policy.addresses[0]: needs 'allow: <cidr>' or 'deny: <cidr>'");
        failsWith("policy: {addresses: [10.0.0.0/8]}",
                "policy.addresses[0]: must be a mapping of keys, got the string '10.0.0.0/8'");
        failsWith("policy: {addresses: [{alow: 10.0.0.0/8}]}",
                "policy.addresses[0].alow: unknown key; did you mean 'allow'?");
    }

    @Test
    void badDomainEntry() {
        failsWith("policy: {match-domains: [example.com, '*.example.org']}",
                "policy.match-domains[1]: '*.example.org' is not a domain name (write 'example.org': a domain entry"
                        + " already covers every name under it)");
        assertTrue(fails("policy: {excluded-fqdns: [10.0.0.1]}").getMessage()
                .startsWith("policy.excluded-fqdns[0]: '10.0.0.1' is an IP address"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "listen: ['0.0.0.0:70000']|listen[0]: '0.0.0.0:70000': port must be a number 0..65535, got '70000'",
            "listen: ['0.0.0.0:https']|listen[0]: '0.0.0.0:https': port must be a number 0..65535, got 'https'",
            "listen: ['0.0.0.0']|listen[0]: '0.0.0.0' is not host:port (e.g. 0.0.0.0:443 or [::]:443)",
            "listen: ['::1:443']|listen[0]: '::1:443': put an IPv6 address in brackets, e.g. [::]:443",
            "listen: ['0.0.0.0:1', '0.0.0.0:1']|listen[1]: '0.0.0.0:1' is listed twice",
            "listen: []|listen: at least one address is needed, e.g. [\"0.0.0.0:443\"]",
            "policy: {addresses: [{allow: 10.0.0.0/8, ports: 70000}]}|policy.addresses[0].ports: '70000' is not a"
                    + " port range (ports are 1..65535, got 70000)",
            "policy: {addresses: [{allow: 10.0.0.0/8, ports: web}]}|policy.addresses[0].ports: 'web' is not a port"
                    + " or port range (expected e.g. 443, 1-1024, * or any)"})
    void badPort(String yaml, String message) {
        failsWith(yaml, message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "timeouts: {connect: 10}|timeouts.connect: '10' is not a duration (add a unit: ms, s, m or h, e.g. '10s')",
            "timeouts: {idle: 5 minutes}|timeouts.idle: '5 minutes' is not a duration (e.g. 250ms, 10s, 5m, 1h)",
            "timeouts: {quic-idle: 0s}|timeouts.quic-idle: must be longer than zero, got '0s'",
            "timeouts: {connect: -1s}|timeouts.connect: '-1s' is not a duration (e.g. 250ms, 10s, 5m, 1h)",
            "timeouts: {happy-eyeballs-delay: 5ms}|timeouts.happy-eyeballs-delay: must be at least 10ms (RFC 8305),"
                    + " got 5ms"})
    void badDuration(String yaml, String message) {
        failsWith(yaml, message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "listne: ['0.0.0.0:1']|listne: unknown key; did you mean 'listen'?",
            "serverName: x|serverName: unknown key; did you mean 'server-name'?",
            "limits: {tunnels-per-conection: 3}|limits.tunnels-per-conection: unknown key; did you mean"
                    + " 'tunnels-per-connection'?",
            "tls: {certficate: cert.pem}|tls.certficate: unknown key; did you mean 'certificate'?",
            "log: {verbosity: debug}|log.verbosity: unknown key (known keys here: format, level)"})
    void unknownKey(String yaml, String message) {
        failsWith(yaml, message);
    }

    @Test
    void unknownKeyFarFromAnyGetsTheList() {
        assertTrue(fails("frobnicate: 1").getMessage().startsWith(
                "frobnicate: unknown key (known keys here: admin, auth, connect-udp, engine, fleet, limits, listen, log, policy,"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limits: {tunnels-per-connection: lots}|limits.tunnels-per-connection: must be a positive integer, got"
                    + " 'lots'",
            "limits: {max-connections: 0}|limits.max-connections: must be a positive integer, got '0'",
            "limits: {max-data-frame: 99999999999}|limits.max-data-frame: must be a positive integer no larger than"
                    + " 2147483647, got '99999999999'",
            "limits: {pending-datagrams: 1.5}|limits.pending-datagrams: must be a positive integer, got '1.5'",
            "limits: [1, 2]|limits: must be a mapping of keys, got a list",
            "limits: {max-tunnels: -1}|limits.max-tunnels: must be 0 or a positive integer, got '-1'",
            "limits: {unfinished-requests-per-connection: 0}|limits.unfinished-requests-per-connection: must be a"
                    + " positive integer, got '0'",
            "timeouts: {request-header: 10ms}|timeouts.request-header: must be at least 100ms, got 10ms",
            "listen: '0.0.0.0:443'|listen: must be a list (e.g. [\"a\", \"b\"] or one '- item' per line), got the"
                    + " string '0.0.0.0:443'",
            "server-name: [a]|server-name: must be a string, got a list",
            "server-name: 'my relay'|server-name: 'my relay' cannot be used as a server name (printable ASCII without"
                    + " spaces, quotes, commas, ';' or '=', at most 255 characters)",
            "tls: true|tls: must be a mapping of keys, got the boolean true",
            "log: {level: verbose}|log.level: 'verbose' is not a log level (one of error, warn, info, debug)",
            "engine: msquic|engine: 'msquic' is not a QUIC engine (one of auto, kwik, quiche)",
            "- a|the configuration file must be a YAML mapping of keys (such as 'listen:'), got a list",
            "1: x|key 1 is not a string; keys are names like 'listen'"})
    void wrongType(String yaml, String message) {
        failsWith(yaml, message);
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals("configuration file " + missing + " does not exist", e.getMessage());
    }

    @Test
    void invalidYamlAndDuplicateKeys() {
        ConfigException syntax = fails("listen: [\"0.0.0.0:1\"\nlog: {level: info}\n");
        assertTrue(syntax.getMessage().startsWith("relay.yaml is not valid YAML: "), syntax.getMessage());
        ConfigException dup = fails("log: {level: info}\nlog: {level: debug}\n");
        assertTrue(dup.getMessage().contains("log"), dup.getMessage());
        assertTrue(dup.getMessage().contains("uplicate"), dup.getMessage());
    }

    @Test
    void pemAndPkcs12Together() {
        failsWith("tls: {certificate: cert.pem, private-key: key.pem, pkcs12: id.p12, pkcs12-password: x}",
                "tls: give either certificate + private-key (PEM) or pkcs12, not both");
    }

    @Test
    void incompleteTls() {
        failsWith("tls: {pkcs12: id.p12}", "tls.pkcs12-password: missing; a PKCS#12 file needs its password"
                + " (pkcs12-password, or pkcs12-password-file to keep it out of this file)");
        failsWith("tls: {pkcs12-password: x}", "tls.pkcs12: missing; a PKCS#12 password was given without the file");
        failsWith("tls: {pkcs12: id.p12, pkcs12-password: x, pkcs12-password-file: p}",
                "tls.pkcs12-password: give pkcs12-password or pkcs12-password-file, not both");
        failsWith("tls: {certificate: cert.pem}", "tls.private-key: missing; tls.certificate needs its private key");
        failsWith("tls: {private-key: key.pem}", "tls.certificate: missing; tls.private-key needs the certificate"
                + " chain that goes with it");
        failsWith("tls: {}", "tls: empty; give certificate + private-key, or pkcs12 + its password");
    }

    @Test
    void missingOrUnusableTlsFiles() throws Exception {
        failsWith("tls: {certificate: nope.pem, private-key: key.pem}",
                "tls.certificate: " + dir.resolve("nope.pem") + " does not exist");
        failsWith("tls: {certificate: cert.pem, private-key: nokey.pem}",
                "tls.private-key: " + dir.resolve("nokey.pem") + " does not exist");
        failsWith("tls: {certificate: " + dir + ", private-key: key.pem}",
                "tls.certificate: " + dir + " is not a regular file");
        failsWith("tls: {pkcs12: nope.p12, pkcs12-password: x}",
                "tls.pkcs12: " + dir.resolve("nope.p12") + " does not exist");
        failsWith("tls: {pkcs12: id.p12, pkcs12-password-file: nope.pass}",
                "tls.pkcs12-password-file: " + dir.resolve("nope.pass") + " does not exist");
    }

    @Test
    void unreadableCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Files.setPosixFilePermissions(cert, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(cert), "running as root: every file is readable");
        failsWith("tls: {certificate: cert.pem, private-key: key.pem}",
                "tls.certificate: " + cert + " is not readable by this user (check its permissions)");
    }

    @Test
    void badAuth() throws Exception {
        failsWith("auth: {header: authorization}", "auth.credentials: at least one credential is needed (credentials"
                + " or credentials-file); remove the auth section to turn authentication off");
        failsWith("auth: {credentials: [x], failure-status: 404}", "auth.failure-status: must be 401, 403 or 407,"
                + " got 404");
        failsWith("auth: {credentials: [x], failure-status: often}", "auth.failure-status: must be 401, 403 or 407,"
                + " got 'often'");
        failsWith("auth: {credentials: [x], header: 'x y'}", "auth.header: 'x y' is not an HTTP header name");
        failsWith("auth: {credentials: ['']}", "auth.credentials[0]: is empty");
        Files.writeString(dir.resolve("empty"), "# nothing yet\n");
        failsWith("auth: {credentials-file: empty}", "auth.credentials-file: " + dir.resolve("empty")
                + " holds no credentials (one per line)");
    }

    @Test
    void badConnectUdpTemplate() {
        failsWith("connect-udp: {template: 'http://r.example/{target_host}/{target_port}/'}",
                "connect-udp.template: 'http://r.example/{target_host}/{target_port}/' must be an https:// URI"
                        + " template (RFC 9298)");
        failsWith("connect-udp: {template: 'https://r.example/udp/{target_host}/'}",
                "connect-udp.template: 'https://r.example/udp/{target_host}/' lacks the variable {target_port}");
        failsWith("connect-udp: {path: x}", "connect-udp.path: unknown key (known keys here: template)");
    }

    @Test
    void fleetServerIdsThatCannotBeEncodedAreRefused() {
        failsWith("fleet: {server-id: 256, server-id-length: 1}", "fleet.server-id: '256' does not fit in 1 octet (0 to 255)");
        failsWith("fleet: {server-id: 1, server-id-length: 3}", "fleet.server-id-length: must be 1 or 2 (octets), got 3");
        failsWith("fleet: {server-id: relay-1}",
                "fleet.server-id: 'relay-1' is not a server ID (a decimal integer, or hex like 0x0a01)");
        failsWith("fleet: {server-id-length: 1}", "fleet.server-id: is missing: server-id-length alone means nothing"
                + " (give each relay its own server-id)");
        assertTrue(fails("fleet: {server-ids: 1}").getMessage().contains("fleet.server-ids"));
    }
}
