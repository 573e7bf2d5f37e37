package org.masquerelay.interop.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reproducer for the datagram collapse the benchmark shows: on one connection, the relay's QUIC datagrams towards
 * the client fall to ~1 Mbit/s after one train at a rate the connection cannot carry, and stay there for every later
 * (slow) train on that connection. Prints delivered rate and loss per train, then times a TCP download on the same
 * connection and on a fresh one.
 * <pre>
 *   java -cp ... org.masquerelay.interop.bench.DatagramCollapseRepro [kwik|netty]
 * </pre>
 */
public final class DatagramCollapseRepro {
    private DatagramCollapseRepro() {}

    public static void main(String[] args) throws Exception {
        String stack = args.length > 0 ? args[0] : "kwik";
        Path dir = Files.createTempDirectory("collapse");
        try (RelayProcess relay = RelayProcess.start(dir, List.of());
             Targets.UdpBlaster blaster = new Targets.UdpBlaster();
             Targets.Source source = new Targets.Source()) {
            Clients.Client client = stack.equals("kwik") ? Clients.Kwik.connect(relay.address(), relay.caCertificate())
                    : Clients.Netty.connect(relay.address(), relay.caCertificate());
            Clients.UdpPath path = client.openUdp(blaster.port(), false);
            UdpScenario.TrainStats stats = new UdpScenario.TrainStats();
            path.setReceiver(stats);
            long run = 1;
            for (int rate : new int[] {10, 10, 200, 10, 10, 10}) {
                long pps = Math.round(rate * 1e6 / (1200 * 8.0));
                stats.reset(run);
                for (int i = 0; i < 10 && !blaster.started(run); i++) {
                    path.send(Targets.UdpBlaster.control(run, pps, pps, 1200));
                    Thread.sleep(100);
                }
                long[] sent = blaster.awaitTrain(run, 5000);
                Thread.sleep(1000);
                long got = stats.received();
                System.out.printf(Locale.ROOT, "train %d: offered %3d Mbit/s for 1 s, sent %6d, received %6d (%.1f%% loss, %.1f%% out of order)%n",
                        run, rate, sent == null ? -1 : sent[0], got, sent == null ? 100 : 100.0 * (sent[0] - got) / sent[0],
                        got == 0 ? 0 : 100.0 * stats.reordered() / got);
                run++;
            }
            long t0 = System.nanoTime();
            long n = client.download(source.authority(), 8L << 20);
            System.out.printf(Locale.ROOT, "same connection:  TCP download of %d MiB took %.0f ms%n", n >> 20, (System.nanoTime() - t0) / 1e6);
            client.close();
            try (Clients.Client fresh = stack.equals("kwik") ? Clients.Kwik.connect(relay.address(), relay.caCertificate())
                    : Clients.Netty.connect(relay.address(), relay.caCertificate())) {
                t0 = System.nanoTime();
                n = fresh.download(source.authority(), 8L << 20);
                System.out.printf(Locale.ROOT, "fresh connection: TCP download of %d MiB took %.0f ms%n", n >> 20, (System.nanoTime() - t0) / 1e6);
            }
        }
        System.exit(0);
    }
}
