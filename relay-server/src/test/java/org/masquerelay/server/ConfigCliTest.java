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
        StringWriter picocliOut = new StringWriter();
        CommandLine cli = RelayServerCli.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(picocliOut, true));
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = cli.execute(args);
        } finally {
            System.setOut(saved);
        }
        return new Run(exit, picocliOut + stdout.toString(StandardCharsets.UTF_8), err.toString());
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

        // The annotated example as shipped, pointed at the new certificate.
        String example = Files.readString(Path.of("..", "configs", "relay.example.yaml"));
        assertTrue(example.contains("/etc/relay/fullchain.pem") && example.contains("/etc/relay/privkey.pem"));
        String text = example.replace("/etc/relay/fullchain.pem", certs.resolve("server.pem").toString())
                .replace("/etc/relay/privkey.pem", certs.resolve("server-key.pem").toString());
        Path config = write("relay.yaml", text);
        Run checked = run("check-config", config.toString());
        assertEquals(0, checked.exit(), checked.toString());
        assertTrue(checked.out().contains(config + ": OK"), checked.out());
        assertTrue(checked.out().contains("relay.example.com"), checked.out());
        assertEquals("", checked.err());
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
}
