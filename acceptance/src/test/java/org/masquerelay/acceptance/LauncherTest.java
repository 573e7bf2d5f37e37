package org.masquerelay.acceptance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bin/ launchers themselves: native code loads without the JDK's warnings (Netty's quiche and epoll here). */
@Timeout(120)
class LauncherTest {
    private static final Path BIN = Path.of("..", "bin").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    @TempDir
    Path logs;

    @Test
    void devRelayOnQuicheStartsAndStopsWithoutJdkWarnings() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ShellProcess relay = ShellProcess.start(BIN.resolve("relay-server") + " dev --engine quiche --port " + port
                + " --state-dir " + dir.resolve("state"), dir, logs);
        try {
            relay.awaitOutput("Stop with Ctrl-C.", Duration.ofSeconds(60));
            assertTrue(relay.stderr().contains("(HTTP/3, UDP, quiche engine)"), relay.output());
        } finally {
            relay.stop();
        }
        assertFalse(relay.stderr().contains("WARNING:"), "no restricted-method warnings: " + relay.output());
        assertTrue(relay.stderr().contains("INFO  stopped in "), relay.output());
    }
}
