package org.masquerelay.interop.matrix;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Jetty's quiche must be mapped from a file of this JVM's own. Jetty's Foreign binding, which it prefers on JDK 22+,
 * extracts libquiche.so to the one path {@code ${java.io.tmpdir}/linux-x86-64/libquiche.so} and rewrites it in place,
 * so a second JVM starting Jetty (bin/interop beside a test run, another worktree's tests) killed this one with
 * SIGBUS in libquiche (seen twice in 8 runs of the Jetty cells on this machine, hs_err: BUS_ADRERR in that mapping).
 */
class JettyNativeLibraryTest {

    @Test
    void quicheIsNotMappedFromTheSharedTemporaryPath() throws Exception {
        Path maps = Path.of("/proc/self/maps");
        assumeTrue(Files.isReadable(maps), "needs Linux /proc");
        assumeTrue(JettyClientPeer.nativeProblem() == null, "Jetty's quiche does not load here");
        // Jetty chooses its quiche binding (and loads the library through it) when Quiche is first used.
        Class.forName("org.eclipse.jetty.quic.quiche.Quiche", true, getClass().getClassLoader());

        String shared = Path.of(System.getProperty("java.io.tmpdir"), "linux-x86-64", "libquiche.so").toString();
        List<String> sharedMappings = Files.readAllLines(maps).stream().filter(line -> line.endsWith(shared)).toList();
        assertEquals(List.of(), sharedMappings, "libquiche mapped from the path every JVM rewrites");
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.eclipse.jetty.quic.quiche.foreign.ForeignQuicheBinding"),
                "Jetty's Foreign quiche binding is on the class path again");
        assertNull(JettyClientPeer.nativeProblem());
    }
}
