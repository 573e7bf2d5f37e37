package org.masquerelay.interop.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code interop bench}: hands its arguments to {@link BenchMain} (which documents them). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark the relay beside baselines (direct loopback, socat, a Netty/quiche client): a table and JSON.",
                "Options: --quick, --runs N, --out DIR, --only tcp,udp,latency,setup,cost,profile, --tcp-mib N,",
                "--udp-rates 20,50,100,200, --udp-seconds S. Loopback only; about 4 minutes with the defaults."})
public final class BenchCommand implements Callable<Integer> {
    @CommandLine.Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return BenchMain.run(args.toArray(String[]::new), System.out, System.err);
    }
}
