package org.masquerelay.example;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.TestRelay;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.testpeers.UdpEchoServer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Use the library" example is {@link UseTheLibrary}, quoted whole: it is compiled here (in a package of
 * its own, so it can only use the public API), run against our relay and echo servers, and compared with the README,
 * so neither can drift.
 */
@Timeout(60)
class UseTheLibraryTest {
    private static final Path MODULE = Path.of("").toAbsolutePath();

    @TempDir
    Path state;

    @Test
    void theExampleOpensATcpAndAUdpTunnel() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (TestRelay relay = TestRelay.start(state);
             TcpEchoServer tcp = new TcpEchoServer(loopback);
             UdpEchoServer udp = new UdpEchoServer(loopback)) {
            System.setOut(new PrintStream(printed, true, UTF_8));
            UseTheLibrary.main(new String[] {relay.url(), relay.ca.toString(), "127.0.0.1",
                    Integer.toString(tcp.port()), Integer.toString(udp.port())});
        } finally {
            System.setOut(stdout);
        }
        assertEquals("hello over TCP\nhello over UDP\n", printed.toString(UTF_8).replace("\r\n", "\n"));
    }

    @Test
    void theReadmeQuotesTheExampleAsItIs() throws Exception {
        String source = Files.readString(MODULE.resolve("src/test/java/org/masquerelay/example/UseTheLibrary.java"));
        String quoted = source.substring(source.indexOf("import ")).strip();
        String readme = Files.readString(MODULE.resolve("../README.md"));
        int section = readme.indexOf("\n## Use the library\n");
        assertTrue(section >= 0, "README has a section 'Use the library'");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        int end = readme.indexOf("\n```", start);
        assertEquals(quoted, readme.substring(start, end).strip(),
                "README's example must be UseTheLibrary.java from its imports on (copy it over)");
    }
}
