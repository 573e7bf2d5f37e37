package org.masquerelay.interop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.display.Version;
import org.masquerelay.interop.cli.InteropCli;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * interop as a user meets it: mistakes are one line with status 2, the same vocabulary as the other commands; doctor
 * and apple-profile answer under their old names (relay-tools' RelayToolsCliTest has their own checks).
 */
class InteropCliTest {
    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        // stdout first: picocli writes help and --version to the System.out of the time its CommandLine is made.
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = InteropCli.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute(args);
            return new Run(exit, stdout.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    private static void assertOneLineMistake(Run r, String expected) {
        assertEquals(2, r.exit(), r.toString());
        assertEquals("interop: " + expected, r.err().strip(), "one line, no stack trace");
    }

    @Test
    void usersMistakesAreOneLineWithStatus2(@TempDir Path dir) {
        assertOneLineMistake(run("apple-profile", "-c", dir.resolve("relay.yaml").toString(), "--relay-url", "https://r.example/"),
                "configuration file " + dir.resolve("relay.yaml") + " does not exist");
        assertOneLineMistake(run("doctor", "localhost:4433"), "the relay URL must be https://host[:port]/ (Apple's client only"
                + " uses https), not 'localhost:4433' (did you mean https://localhost:4433/?)");
        assertOneLineMistake(run("doctor", "https://127.0.0.1:9/", "--proxy-cacert", dir.resolve("ca.pem").toString()),
                "--proxy-cacert " + dir.resolve("ca.pem") + ": no such file");
        assertOneLineMistake(run("run", "--case", "Z"), "unknown case 'Z'; the cases are H T U C O F P X R A E S L K"
                + " (interop run --help says what each checks)");
        assertOneLineMistake(run("run", "--client", "safari"),
                "unknown peer 'safari'; known: apple-profile, netty-quiche, relay-client, jetty-http3, apple-profile-h2, jetty-http2,"
                        + " relay-client-h2, relay-client-http1.1, curl-http1.1, curl-http2");
        // -v adds the trace, for a bug report.
        Run verbose = run("-v", "run", "--case", "Z");
        assertTrue(verbose.err().contains("\tat "), verbose.err());
    }

    @Test
    void sameVocabularyAsTheOtherCommands() {
        for (String[] args : new String[][] {{"--version"}, {"run", "--version"}, {"doctor", "--version"},
                {"apple-profile", "--version"}, {"bench", "--version"}}) {
            Run r = run(args);
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().startsWith("interop " + Version.number()), r.out());
        }
        Run none = run();
        assertEquals(2, none.exit(), none.toString());
        assertTrue(none.err().startsWith("say what to do: run, doctor, apple-profile, bench, faults or soak"), none.err());
        String bench = run("bench", "--help").out();
        for (String option : new String[] {"--quick", "--runs=N", "--out=DIR", "--only=SECTIONS", "--tcp-mib=N",
                "--udp-rates=", "--udp-seconds=S", "--engines=LIST"}) {
            assertTrue(bench.contains(option), option + " in: " + bench);
        }
        String runHelp = run("run", "--help").out();
        assertTrue(runHelp.contains("  K  relay-killed: a dedicated relay is closed mid-download"), runHelp);
        assertTrue(runHelp.contains("? unsupported"), runHelp);
    }
}
