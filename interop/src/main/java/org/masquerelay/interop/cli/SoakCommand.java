package org.masquerelay.interop.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.masquerelay.interop.reliability.Soak;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code interop soak}: mixed checksummed tunnels for N minutes, with the relay's resources sampled every minute. */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs our relay (a process of its own, dev mode, loopback) under mixed TCP and UDP tunnels for N"
                + " minutes, every byte checksummed, and samples its heap, threads and open descriptors every minute.",
                "Ends with a summary line; exit status 1 when any byte was lost or a tunnel hung, was cut short or"
                + " corrupted."})
public final class SoakCommand implements Callable<Integer> {
    @Option(names = "--minutes", paramLabel = "N", description = "How long (default: 10).")
    int minutes = 10;

    @Option(names = "--engine", paramLabel = "auto|quiche|kwik", description = "The relay's QUIC engine (default: auto).")
    String engine = "auto";

    @Option(names = "--out", paramLabel = "DIR", description = "Where the relay's state and log go (default: soak-out).")
    Path out = Path.of("soak-out");

    @Override
    public Integer call() throws Exception {
        if (minutes < 1) {
            throw new IllegalArgumentException("--minutes must be at least 1, got " + minutes);
        }
        Soak.Summary s = Soak.run(out, engine, Duration.ofMinutes(minutes), System.out);
        System.out.println(s.line());
        s.defects().stream().limit(20).forEach(d -> System.out.println("  defect: " + d));
        return s.passed() ? 0 : 1;
    }
}
