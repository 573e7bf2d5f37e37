package org.masquerelay.interop.matrix;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Jetty's quiche must be mapped from a file of this JVM's own. Jetty's Foreign binding, which it prefers on JDK 22+,
 * extracts libquiche.so to the one path {@code ${java.io.tmpdir}/linux-x86-64/libquiche.so} and rewrites it in place,
 * so a second JVM starting Jetty (bin/interop beside a test run, another worktree's tests) killed this one with
 * SIGBUS in libquiche (seen twice in 8 runs of the Jetty cells on this machine, hs_err: BUS_ADRERR in that mapping).
 * {@link JettyClientPeer#nativeProblem()} has it extract into a directory of this JVM's own.
 */
class JettyNativeLibraryTest {

    @Test
    void quicheIsNotMappedFromTheSharedTemporaryPath() throws Exception {
        Path maps = Path.of("/proc/self/maps");
        assumeTrue(Files.isReadable(maps), "needs Linux /proc");
        assumeTrue(JettyClientPeer.nativeProblem() == null, "Jetty's quiche does not load here");
        String shared = Path.of(System.getProperty("java.io.tmpdir"), "linux-x86-64", "libquiche.so").toString();
        List<String> mapped = Files.readAllLines(maps).stream().filter(line -> line.endsWith("/libquiche.so")).toList();
        assertEquals(List.of(), mapped.stream().filter(line -> line.endsWith(shared)).toList(),
                "libquiche mapped from the path every JVM rewrites");
        assertFalse(mapped.isEmpty(), "Jetty's libquiche.so is not mapped (JNA in use? it is half as fast)");
        assertFalse(Path.of(System.getProperty("java.io.tmpdir")).getFileName().toString().startsWith("jetty-quiche-"),
                "java.io.tmpdir was left pointing at Jetty's private directory");
    }
}
