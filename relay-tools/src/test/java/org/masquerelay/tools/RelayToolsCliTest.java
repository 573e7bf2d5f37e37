package org.masquerelay.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.display.Version;
import org.masquerelay.server.certs.CertificateAuthority;
import org.masquerelay.tools.cli.RelayToolsCli;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** relay-tools as a user meets it: mistakes are one line with status 2, the same vocabulary as the other commands. */
class RelayToolsCliTest {
    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        // stdout first: picocli writes help and --version to the System.out of the time its CommandLine is made.
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = RelayToolsCli.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute(args);
            return new Run(exit, stdout.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    private static void assertOneLineMistake(Run r, String expected) {
        assertEquals(2, r.exit(), r.toString());
        assertEquals("relay-tools: " + expected, r.err().strip(), "one line, no stack trace");
    }

    @Test
    void usersMistakesAreOneLineWithStatus2(@TempDir Path dir) {
        assertOneLineMistake(run("apple-profile", "-c", dir.resolve("relay.yaml").toString(), "--relay-url", "https://r.example/"),
                "configuration file " + dir.resolve("relay.yaml") + " does not exist");
        assertOneLineMistake(run("doctor", "localhost:4433"), "the relay URL must be https://host[:port]/ (Apple's client only"
                + " uses https), not 'localhost:4433' (did you mean https://localhost:4433/?)");
        assertOneLineMistake(run("doctor", "https://127.0.0.1:9/", "--proxy-cacert", dir.resolve("ca.pem").toString()),
                "--proxy-cacert " + dir.resolve("ca.pem") + ": no such file");
        // -v adds the trace, for a bug report.
        Run verbose = run("-v", "doctor", "localhost:4433");
        assertTrue(verbose.err().contains("\tat "), verbose.err());
    }

    @Test
    void appleProfileFromTheExampleConfigNeedsNoTlsFilesAndKeepsItsSecretPrivate(@TempDir Path dir) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(dir.resolve("ca"), false);
        Path out = dir.resolve("relay.mobileconfig");
        Path json = dir.resolve("relay-declaration.json");
        // The example names /etc/relay/server.pem, which does not exist here: the profile does not need it.
        Run r = run("apple-profile", "-c", Path.of("..", "configs", "relay.example.yaml").toString(),
                "--relay-url", "https://relay.example.com:443/", "--proxy-cacert", ca.certificatePath().toString(), "-o", out.toString(),
                "--format", "both", "--declaration-output", json.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.readString(out).contains("<string>Bearer s3cret</string>"));
        assertTrue(Files.readString(json).contains("\"Bearer s3cret\""));
        assertTrue(Files.readString(json).contains("\"HTTP2RelayURL\": \"https://relay.example.com:443/\""));
        assertTrue(r.out().contains("the root certificate is not in it"), r.out());
        for (Path file : new Path[] {out, json}) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(file));
        }
        assertTrue(r.out().contains("note: it holds the relay's credential (authorization header): it is readable by you only (0600)"), r.out());

        // Without a credential there is nothing to hide.
        Path open = Files.writeString(dir.resolve("open.yaml"), "policy:\n  match-domains: [example.com]\n");
        Path plain = dir.resolve("plain.mobileconfig");
        Run p = run("apple-profile", "--config", open.toString(), "--relay-url", "https://relay.example.com/", "-o", plain.toString());
        assertEquals(0, p.exit(), p.toString());
        assertTrue(Files.getPosixFilePermissions(plain).contains(PosixFilePermission.OWNER_READ));
        assertFalse(p.out().contains("note:"), p.out());

        // An unknown output format is a one-line mistake naming the choices.
        Run bad = run("apple-profile", "--config", open.toString(), "--relay-url", "https://relay.example.com/", "--format", "xml");
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("mobileconfig, declarative, both"), bad.err());
    }

    @Test
    void sameVocabularyAsTheOtherCommands() {
        for (String[] args : new String[][] {{"--version"}, {"doctor", "--version"}, {"apple-profile", "--version"}}) {
            Run r = run(args);
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().startsWith("relay-tools " + Version.number()), r.out());
        }
        Run none = run();
        assertEquals(2, none.exit(), none.toString());
        assertTrue(none.err().startsWith("say what to do: doctor or apple-profile"), none.err());
    }
}
