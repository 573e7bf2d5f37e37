package org.masquerelay.server;

import org.masquerelay.server.cli.RelayServerCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as an operator meets it: a wrong config is refused with exit status 2 naming the key. */
class ConfigCliTest {
    private static final int CONFIG_ERROR = 2;

    @TempDir
    Path dir;

    /** What one run of {@code relay-server ...} printed and returned. */
    record Run(int exit, String out, String err) {
    }

    /** Runs the CLI in-process; stdout is captured too, since the commands print their results with System.out. */
    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        // stdout first: picocli writes help and --version to the System.out of the time its CommandLine is made.
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        int exit;
        try {
            CommandLine cli = RelayServerCli.commandLine();
            cli.setErr(new PrintWriter(err, true));
            exit = cli.execute(args);
        } finally {
            System.setOut(saved);
        }
        return new Run(exit, stdout.toString(StandardCharsets.UTF_8), err.toString());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void runRefusesMutualTlsOnKwik() throws IOException {
        org.masquerelay.server.certs.CertificateTool.create(dir, java.util.List.of("127.0.0.1"), false);
        Path config = write("relay.yaml", """
                listen: ["127.0.0.1:0"]
                engine: kwik
                tls: {certificate: server.pem, private-key: server-key.pem, client-ca: ca.pem}
                """);
        Run result = run("run", "-c", config.toString());
        assertEquals(CONFIG_ERROR, result.exit(), result.toString());
        assertTrue(result.err().contains("tls.client-ca") && result.err().contains("quiche"), result.err());
        assertFalse(result.out().contains("running"), result.out());
    }

    @Test
    void runRefusesRoutableConnectionIdsOnKwik() throws IOException {
        org.masquerelay.server.certs.CertificateTool.create(dir, java.util.List.of("127.0.0.1"), false);
        Path config = write("relay.yaml", """
                listen: ["127.0.0.1:0"]
                engine: kwik
                tls: {certificate: server.pem, private-key: server-key.pem}
                fleet: {server-id: 3}
                """);
        Run result = run("run", "-c", config.toString());
        assertEquals(CONFIG_ERROR, result.exit(), result.toString());
        assertTrue(result.err().contains("fleet.server-id") && result.err().contains("quiche"), result.err());
        assertEquals(1, result.err().strip().lines().count(), "one line: " + result.err());
        assertFalse(result.out().contains("running"), result.out());
    }

    @Test
    void unknownKeyIsRefusedNamingTheKey() throws IOException {
        Path config = write("relay.yaml", """
                listen: ["127.0.0.1:4433"]
                limits:
                  tunnels-per-conection: 3
                """);
        Run result = run("check-config", config.toString());
        assertEquals(CONFIG_ERROR, result.exit(), result.toString());
        assertTrue(result.err().contains("limits.tunnels-per-conection"), result.err());
        assertTrue(result.err().contains("unknown key"), result.err());
        assertTrue(result.err().contains("tunnels-per-connection"), "suggests the right key: " + result.err());
        assertFalse(result.out().contains("OK"), result.out());

        // The same file is refused by run before anything starts.
        Run start = run("run", "--config", config.toString());
        assertEquals(CONFIG_ERROR, start.exit(), start.toString());
        assertTrue(start.err().contains("limits.tunnels-per-conection"), start.err());
    }

    @Test
    void badCidrIsRefusedNamingTheKey() throws IOException {
        Path config = write("relay.yaml", """
                policy:
                  addresses:
                    - allow: 203.0.113.0/24
                    - deny: 10.0.0.0/33
                """);
        Run result = run("check-config", config.toString());
        assertEquals(CONFIG_ERROR, result.exit(), result.toString());
        assertTrue(result.err().contains("policy.addresses[1].deny"), result.err());
        assertTrue(result.err().contains("10.0.0.0/33"), result.err());
        assertEquals(1, result.err().strip().lines().count(), "one line, no stack trace: " + result.err());
    }

    @Test
    void exampleConfigWithACertificateFromCertsChecksOk() throws IOException {
        Path certs = dir.resolve("certs");
        Run made = run("certs", "--dir", certs.toString(), "--host", "relay.example.com", "--host", "127.0.0.1");
        assertEquals(0, made.exit(), made.toString());
        assertTrue(Files.isRegularFile(certs.resolve("server.pem")), made.out());
        assertTrue(Files.isRegularFile(certs.resolve("server-key.pem")), made.out());

        // The annotated example as shipped, its /etc/relay folder being the one certs wrote to.
        String example = Files.readString(Path.of("..", "configs", "relay.example.yaml"));
        Path config = write("relay.yaml", example.replace("/etc/relay/", certs + "/"));
        Run checked = run("check-config", "-c", config.toString());
        assertEquals(0, checked.exit(), checked.toString());
        assertTrue(checked.out().contains(config + ": OK"), checked.out());
        assertEquals("", checked.err());
        // Readable text, not Java records: the names, the expiry, the rules.
        assertFalse(checked.out().contains("DomainPolicy[") || checked.out().contains("AuthConfig[")
                || checked.out().contains("AddressPolicy[") || checked.out().contains("/0.0.0.0"), checked.out());
        assertTrue(checked.out().contains("names: relay.example.com, 127.0.0.1 (IP)"), checked.out());
        assertTrue(checked.out().matches("(?s).*valid until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(\\d+ days from now\\).*"), checked.out());
        assertTrue(checked.out().contains("header 'authorization' with one of 1 credential(s) (not shown); refused with 407"), checked.out());
        assertFalse(checked.out().contains("s3cret"), "never prints a credential: " + checked.out());
        assertTrue(checked.out().contains("1. allow 203.0.113.0/24 port 443"), checked.out());
        assertTrue(checked.out().contains("[::]:4433"), checked.out());

        // The positional form of earlier versions still works.
        assertEquals(0, run("check-config", config.toString()).exit());
    }

    @Test
    void certsDoesNotOverwriteAnExistingCaWithoutForce() throws IOException {
        Path certs = dir.resolve("certs");
        Run first = run("certs", "--dir", certs.toString(), "--host", "relay.example.com");
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.out().contains("Created a new CA"), first.out());
        byte[] ca = Files.readAllBytes(certs.resolve("ca.pem"));
        byte[] caKey = Files.readAllBytes(certs.resolve("ca-key.pem"));

        Run again = run("certs", "--dir", certs.toString(), "--host", "other.example.com");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("Reused the CA"), again.out());
        assertArrayEquals(ca, Files.readAllBytes(certs.resolve("ca.pem")), "the CA devices trust is kept");
        assertArrayEquals(caKey, Files.readAllBytes(certs.resolve("ca-key.pem")));

        Run forced = run("certs", "--dir", certs.toString(), "--host", "other.example.com", "--force");
        assertEquals(0, forced.exit(), forced.toString());
        assertTrue(forced.out().contains("Created a new CA"), forced.out());
        assertFalse(java.util.Arrays.equals(ca, Files.readAllBytes(certs.resolve("ca.pem"))), "--force replaces it");
    }

    @Test
    void everyCommandPrintsTheSameVersion() {
        String version = org.masquerelay.display.Version.number();
        for (String[] args : new String[][] {{"--version"}, {"dev", "--version"}, {"run", "--version"},
                {"certs", "--version"}, {"check-config", "--version"}}) {
            Run r = run(args);
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().startsWith("relay-server " + version), String.join(" ", args) + ": " + r.out());
        }
    }

    @Test
    void noCommandSaysWhatToDoOnStderrWithStatus2() {
        Run r = run();
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().startsWith("say what to do: dev, run, certs or check-config"), r.err());
        assertTrue(r.err().contains("Usage: relay-server"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void helpListsEveryCommandWithAWholeSentence() {
        Run r = run("--help");
        for (String command : new String[] {"dev", "run", "certs", "check-config"}) {
            String line = r.out().lines().filter(l -> l.startsWith("  " + command + " ")).findFirst().orElseThrow();
            // The summary may wrap, but it ends its sentence before the next command starts.
            String rest = r.out().substring(r.out().indexOf(line));
            String summary = rest.lines().takeWhile(l -> l.equals(line) || l.startsWith("     ")).reduce("", String::concat);
            assertTrue(summary.strip().endsWith("."), command + ": " + summary);
        }
    }

    @Test
    void aPortInUseIsNamed() throws IOException {
        org.masquerelay.server.certs.CertificateTool.create(dir, java.util.List.of("127.0.0.1"), false);
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Run r = run("run", "--cert", dir.resolve("server.pem").toString(), "--key", dir.resolve("server-key.pem").toString(),
                    "--listen", address);
            assertEquals(3, r.exit(), r.toString());
            assertTrue(r.err().startsWith("relay-server: cannot listen on UDP " + address + ": address already in use"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void aMissingConfigFileIsOneLine() {
        Run r = run("check-config", "-c", dir.resolve("nope.yaml").toString());
        assertEquals(CONFIG_ERROR, r.exit(), r.toString());
        assertEquals("relay-server: configuration file " + dir.resolve("nope.yaml") + " does not exist", r.err().strip());
    }
}
