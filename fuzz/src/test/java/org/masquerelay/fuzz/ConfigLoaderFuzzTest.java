package org.masquerelay.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.masquerelay.server.config.ConfigException;
import org.masquerelay.server.config.ConfigLoader;

/**
 * The relay's YAML configuration (an operator's file, but a typo must never become a crash or a silently different
 * relay). Allowed: a configuration, or a {@link ConfigException} naming the problem -- never another exception.
 * Relative file names resolve in an empty folder, so every file reference is a ConfigException too.
 */
class ConfigLoaderFuzzTest {
    private static final Path EMPTY_DIR;

    static {
        try {
            EMPTY_DIR = Files.createTempDirectory("config-fuzz");
            EMPTY_DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    @DictionaryEntries({"listen:", "server-name:", "tls:", "cert:", "key:", "client-ca:", "connect-udp:", "template:",
        "policy:", "match-domains:", "excluded-domains:", "match-fqdns:", "excluded-fqdns:", "addresses:", "allow:",
        "deny:", "ports:", "auth:", "header:", "credentials:", "client-certificate:", "timeouts:", "connect:",
        "happy-eyeballs-delay:", "idle:", "quic-idle:", "limits:", "tunnels-per-connection:", "stream-window:",
        "pending-datagrams:", "max-header-size:", "max-data-frame:", "max-connections:", "event-loops:", "log:",
        "level:", "engine:", "quiche", "kwik", "auto", "0.0.0.0:443", "[::]:4433", "10.0.0.0/8", "- ",
        "250ms", "5m", "{target_host}", "{target_port}", "&a", "*a", "!!binary", "? "})
    void config(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        try {
            ConfigLoader.parse(yaml, "fuzz.yaml", EMPTY_DIR);
        } catch (ConfigException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), "a refusal without a message");
        }
    }
}
