package org.masquerelay.interop.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.masquerelay.interop.reliability.FaultLab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code interop faults}: the fault lab in a network namespace of its own (root, Linux, ip and nft). */
@Command(name = "faults", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the relay, a client and targets in a network namespace made for the run and injects faults"
                + " with nftables: 1 % and 5 % loss of the relay's UDP packets, a target reset mid-transfer, a target"
                + " blackhole, the relay killed. Every tunnel must complete byte-identical or end with a visible error"
                + " within its deadline.",
                "Needs root, Linux, ip (iproute2) and nft (nftables); says so and exits 2 otherwise. About 1 minute."})
public final class FaultsCommand implements Callable<Integer> {
    @Option(names = "--engine", paramLabel = "auto|quiche|kwik", description = "The relay's QUIC engine (default: auto).")
    String engine = "auto";

    @Option(names = "--out", paramLabel = "DIR", description = "Where the relay's state and logs go (default: faults-out).")
    Path out = Path.of("faults-out");

    @Override
    public Integer call() throws Exception {
        Optional<String> why = FaultLab.unavailable();
        if (why.isPresent()) {
            System.err.println("interop faults: " + why.get());
            return 2;
        }
        FaultLab.Result r = FaultLab.runIsolated(out, engine, System.out);
        System.out.printf("fault lab: %d scenarios, %d tunnels: %d complete byte-identical, %d ended with an error as"
                + " the fault required, %d defects%n", r.scenarios(), r.tunnels(), r.complete(), r.failedCleanly(),
                r.failures().size());
        r.failures().forEach(f -> System.out.println("  defect: " + f));
        return r.passed() ? 0 : 1;
    }
}
