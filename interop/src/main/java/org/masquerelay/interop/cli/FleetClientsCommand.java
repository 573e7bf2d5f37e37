package org.masquerelay.interop.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.masquerelay.client.ClientEngines;
import org.masquerelay.interop.reliability.FleetClients;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code interop fleet-clients}: the client side of deploy/lab/fleet/run, driven by the lab over stdin. */
@Command(name = "fleet-clients", mixinStandardHelpOptions = true, sortOptions = false, hidden = true,
        description = {"The clients of deploy/lab/fleet/run (run by it, in its client namespace): N relay clients keep"
                + " checksummed TCP and UDP echo tunnels busy; the lab tells them on stdin which relay owns each"
                + " source port, which relay it killed and which ports it rewrote.",
                "Exit status 1 when bytes were lost on a surviving relay or a rebinding client lost its relay."})
public final class FleetClientsCommand implements Callable<Integer> {
    @Option(names = "--relay", required = true, paramLabel = "URL", description = "The balancer's relay URL.")
    String relay;

    @Option(names = "--ca", required = true, paramLabel = "PEM", description = "The relays' CA certificate.")
    Path ca;

    @Option(names = "--tcp-echo", required = true, paramLabel = "HOST:PORT", description = "A TCP echo target.")
    String tcpEcho;

    @Option(names = "--udp-echo", required = true, paramLabel = "HOST:PORT", description = "A UDP echo target.")
    String udpEcho;

    @Option(names = "--clients", paramLabel = "N", description = "Relay clients, a connection each (default: 9).")
    int clients = 9;

    @Option(names = "--tcp", paramLabel = "N", description = "TCP tunnels at once per client (default: 2).")
    int tcp = 2;

    @Option(names = "--udp", paramLabel = "N", description = "UDP tunnels at once per client (default: 1).")
    int udp = 1;

    @Option(names = "--tcp-bytes", paramLabel = "N", description = "Bytes per TCP echo tunnel (default: 1048576).")
    long tcpBytes = 1 << 20;

    @Option(names = "--seconds", paramLabel = "N", description = "How long the load runs (default: 20).")
    int seconds = 20;

    @Option(names = "--engine", paramLabel = "NAME", description = "The clients' QUIC engine: auto, kwik or quiche"
            + " (default: auto).")
    String engine = "auto";

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || tcp < 0 || udp < 0 || tcpBytes < 1 || seconds < 1) {
            throw new IllegalArgumentException("--clients, --tcp-bytes and --seconds must be positive, --tcp and --udp"
                    + " not negative");
        }
        var control = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ClientEngines.named("--engine", engine); // a wrong name is the user's mistake: said before anything starts
        var load = new FleetClients.Load(relay, ca, tcpEcho, udpEcho, clients, tcp, udp, tcpBytes,
                Duration.ofSeconds(seconds), engine);
        return FleetClients.run(load, control, System.out) ? 0 : 1;
    }
}
