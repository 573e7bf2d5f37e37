package org.masquerelay.acceptance;

import org.junit.jupiter.api.Test;
import org.masquerelay.client.cli.RelayClientCli;
import org.masquerelay.display.Version;
import org.masquerelay.interop.cli.InteropCli;
import org.masquerelay.server.cli.RelayServerCli;
import org.masquerelay.tools.cli.RelayToolsCli;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** relay-server, relay-client, relay-tools and interop speak one language: versions, names, no-argument behaviour, help. */
class VocabularyTest {
    private static final Map<String, Supplier<CommandLine>> COMMANDS = Map.of(
            "relay-server", RelayServerCli::commandLine,
            "relay-client", RelayClientCli::commandLine,
            "interop", InteropCli::commandLine,
            "relay-tools", RelayToolsCli::commandLine);

    record Run(int exit, String out, String err) {
    }

    private static Run run(Supplier<CommandLine> command, String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        // stdout first: picocli writes help and --version to the System.out of the time its CommandLine is made.
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = command.get();
            cli.setErr(new PrintWriter(err, true));
            return new Run(cli.execute(args), stdout.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    /** Every command and subcommand, as "name sub". */
    private static List<List<String>> everyCommand(String name, CommandLine cl, List<String> path) {
        List<List<String>> all = new ArrayList<>();
        all.add(path);
        cl.getSubcommands().forEach((sub, child) -> {
            if (!sub.equals("help")) {
                List<String> p = new ArrayList<>(path);
                p.add(sub);
                all.addAll(everyCommand(name, child, p));
            }
        });
        return all;
    }

    @Test
    void everyCommandPrintsTheOneVersion() {
        COMMANDS.forEach((name, command) -> {
            for (List<String> path : everyCommand(name, command.get(), List.of())) {
                List<String> args = new ArrayList<>(path);
                args.add("--version");
                Run r = run(command, args.toArray(String[]::new));
                assertEquals(0, r.exit(), name + " " + args);
                assertTrue(r.out().startsWith(name + " " + Version.number() + " "), name + " " + args + ": " + r.out());
            }
        });
    }

    @Test
    void noArgumentsMeansTheSameEverywhere() {
        COMMANDS.forEach((name, command) -> {
            Run r = run(command);
            assertEquals(2, r.exit(), name);
            assertTrue(r.err().startsWith("say what to do: "), name + ": " + r.err());
            assertTrue(r.err().contains("Usage: " + name), name + ": " + r.err());
            assertEquals("", r.out(), name);
        });
    }

    @Test
    void sameOptionNamesForTheSameThing() {
        Map<String, CommandSpec> specs = Map.of(
                "relay-server run", RelayServerCli.commandLine().getSubcommands().get("run").getCommandSpec(),
                "relay-server check-config", RelayServerCli.commandLine().getSubcommands().get("check-config").getCommandSpec(),
                "relay-client fetch", RelayClientCli.commandLine().getSubcommands().get("fetch").getCommandSpec(),
                "relay-client proxy", RelayClientCli.commandLine().getSubcommands().get("proxy").getCommandSpec(),
                "relay-tools doctor", RelayToolsCli.commandLine().getSubcommands().get("doctor").getCommandSpec(),
                "relay-tools apple-profile", RelayToolsCli.commandLine().getSubcommands().get("apple-profile").getCommandSpec());
        // The relay's configuration file.
        for (String c : List.of("relay-server run", "relay-server check-config", "relay-tools apple-profile")) {
            assertTrue(specs.get(c).findOption("-c") != null && specs.get(c).findOption("--config") != null, c);
        }
        // The relay's CA, and headers sent to the relay: curl's names, as relay-client has them.
        for (String c : List.of("relay-client fetch", "relay-client proxy", "relay-tools doctor", "relay-tools apple-profile")) {
            assertTrue(specs.get(c).findOption("--proxy-cacert") != null, c + " --proxy-cacert");
        }
        for (String c : List.of("relay-client fetch", "relay-client proxy", "relay-tools doctor")) {
            assertTrue(specs.get(c).findOption("--proxy-header") != null, c + " --proxy-header");
        }
        // No other visible name for them.
        specs.forEach((c, spec) -> spec.options().stream().filter(o -> !o.hidden()).forEach(o -> {
            for (String n : o.names()) {
                assertFalse(n.equals("--ca") || n.equals("--cafile"), c + " shows " + n);
            }
        }));
    }

    @Test
    void helpTextsAreWholeSentences() {
        COMMANDS.forEach((name, command) -> check(name, command.get()));
    }

    private static void check(String name, CommandLine cl) {
        String[] description = cl.getCommandSpec().usageMessage().description();
        assertTrue(description.length > 0, name + " has a description");
        // The first line is what the parent lists: a whole sentence.
        assertTrue(description[0].endsWith("."), name + ": '" + description[0] + "'");
        for (String line : description) {
            // Each line is a paragraph of its own: it ends its sentence, introduces a list, or is an example.
            assertTrue(line.endsWith(".") || line.endsWith(":") || line.startsWith("  "), name + ": '" + line + "'");
        }
        cl.getSubcommands().forEach((sub, child) -> {
            if (!sub.equals("help")) {
                check(name + " " + sub, child);
            }
        });
    }
}
