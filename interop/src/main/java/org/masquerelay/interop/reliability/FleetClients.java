package org.masquerelay.interop.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.masquerelay.client.RelayClient;

/**
 * The clients of the fleet lab ({@code deploy/lab/fleet/run}): N relay clients, each its own QUIC connection through
 * the balancer, keep checksummed TCP and UDP echo tunnels busy for a bounded time, one tunnel after another per slot.
 * The lab script, which owns the namespaces, balancer and relays, talks to this process over stdin/stdout: it learns
 * each client's UDP source port (printed as {@code port I P}), tells which relay owns each port ({@code owner P ADDR},
 * read off the balancer), which relay it killed and when ({@code killed ADDR EPOCH_NANOS}), which ports it rewrote
 * ({@code rebound OLD NEW}), and when to keep the load going past its planned end ({@code extend S}, after a kill or
 * drain that came late). From that the clients judge: a tunnel on a surviving relay must lose no byte, a rebinding client must keep
 * its relay (one connection, all tunnels whole, the new port owned by the same relay), and a killed relay's clients
 * fail over (their tunnels fail visibly, later ones complete on a fresh connection).
 */
public final class FleetClients {
    /** What the lab asks for. */
    public record Load(String relay, Path ca, String tcpEcho, String udpEcho, int clients, int tcpSlots, int udpSlots,
                       long tcpBytes, Duration duration, String engine) {}

    /** One tunnel: its client, how it ended, when it began, and the local port of the connection that carried it. */
    private record Result(int client, Outcome outcome, long startNanos, int relayPort) {}

    private final Map<Integer, String> owners = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> rebound = new ConcurrentHashMap<>();
    /**
     * Clients the lab paused before rewriting their source port (by index): NATs mostly rebind a mapping that expired
     * while idle. A port rewritten mid-transfer hits quiche defects (docs/upstream.md); FLEET_REBIND_BUSY=1 does that.
     */
    private final Map<Integer, Gate> gates = new ConcurrentHashMap<>();
    private volatile int[] clientPorts = new int[0];
    private volatile List<RelayClient> relayClients = List.of();
    private volatile int slotsPerClient;
    private volatile PrintStream report;
    /** New source ports whose relay closed the connection because its path validation went unanswered. */
    private final Set<Integer> unvalidated = ConcurrentHashMap.newKeySet();
    private final Set<String> killed = ConcurrentHashMap.newKeySet();
    private final AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    private final Set<String> drained = ConcurrentHashMap.newKeySet();
    private final AtomicLong drainedAt = new AtomicLong(Long.MAX_VALUE);
    /**
     * When the slots start no more tunnels: the load's duration after "start", or later if the lab asks ({@code extend
     * S}: at least S seconds more from now). A slow machine can push the lab's kill and drain past the planned end, and a
     * client that starts no tunnel after them cannot show whether it recovered or moved.
     */
    private volatile long plannedStop = Long.MAX_VALUE;
    private final AtomicLong extendedStop = new AtomicLong(Long.MIN_VALUE);
    private final CountDownLatch start = new CountDownLatch(1);
    private final CountDownLatch end = new CountDownLatch(1);
    private final List<Result> results = new CopyOnWriteArrayList<>();

    /** Runs the load; true when no byte was lost on a surviving relay and every rebinding client kept its relay. */
    public static boolean run(Load load, BufferedReader control, PrintStream out) throws Exception {
        return new FleetClients().go(load, control, out);
    }

    private boolean go(Load load, BufferedReader control, PrintStream out) throws Exception {
        List<RelayClient> clients = new ArrayList<>();
        int[] ports = new int[load.clients()];
        clientPorts = ports;
        relayClients = clients;
        slotsPerClient = load.tcpSlots() + load.udpSlots();
        report = out;
        Thread.ofVirtual().name("fleet-control").start(() -> listen(control));
        try {
            for (int i = 0; i < load.clients(); i++) {
                clients.add(RelayClient.builder().relay(load.relay()).trustCaFile(load.ca())
                        .engine(org.masquerelay.client.ClientEngines.named("--engine", load.engine()))
                        .connectTimeout(Duration.ofSeconds(20)).requestTimeout(Duration.ofSeconds(20))
                        .idleTimeout(Duration.ofSeconds(4)).build()); // a killed relay's clients notice in 4 s
            }
            // One after another (9 handshakes at once outlasted the 4 s idle timeout on a loaded machine), and kept
            // alive until the load starts: the first connections otherwise sat idle past their idle timeout, and
            // their first tunnels died with them.
            Thread.ofVirtual().name("keep-alive").start(() -> {
                try {
                    while (!start.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                        clients.forEach(RelayClient::keepAlive);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < clients.size(); i++) {
                try {
                    ports[i] = clients.get(i).localAddress().getPort();
                } catch (IOException | RuntimeException e) {
                    ports[i] = -1;
                    System.err.println("client " + i + " did not connect: " + e);
                }
                out.println("port " + i + " " + ports[i]);
                out.flush();
            }
            out.println("ready");
            out.flush();
            start.await();
            plannedStop = System.nanoTime() + load.duration().toNanos();
            List<Thread> slots = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                for (int s = 0; s < load.tcpSlots() + load.udpSlots(); s++) {
                    int c = i;
                    boolean tcp = s < load.tcpSlots();
                    String name = "c" + i + (tcp ? "-tcp" : "-udp") + s;
                    slots.add(Thread.ofVirtual().name(name).start(
                            () -> slot(clients.get(c), c, name, tcp, load)));
                }
            }
            for (Thread t : slots) {
                t.join();
            }
            out.println("finished");
            out.flush();
            end.await();
            return judge(ports, clients, out);
        } finally {
            clients.forEach(RelayClient::close);
        }
    }

    /** One tunnel after another until the load's end: TCP echoes of tcpBytes, or UDP echoes of 64 datagrams. */
    private void slot(RelayClient client, int index, String name, boolean tcp, Load load) {
        String[] tcpTarget = load.tcpEcho().split(":");
        String[] udpTarget = load.udpEcho().split(":");
        Duration deadline = Duration.ofSeconds(30);
        for (int round = 0; System.nanoTime() < Math.max(plannedStop, extendedStop.get()); round++) {
            Gate gate = gates.get(index);
            if (gate != null && gate.resume.getCount() > 0) {
                gate.idle.countDown();
                try {
                    gate.resume.await();
                } catch (InterruptedException e) {
                    return;
                }
            }
            long started = System.nanoTime();
            long seed = ((long) index << 32) ^ ((long) name.hashCode() << 16) ^ round;
            java.util.concurrent.atomic.AtomicInteger port = new java.util.concurrent.atomic.AtomicInteger(-1);
            Outcome o = tcp
                    ? Transfers.tcpEcho(client, name + "#" + round, tcpTarget[0], Integer.parseInt(tcpTarget[1]),
                            load.tcpBytes(), seed, deadline, port::set)
                    : Transfers.udpEcho(client, name + "#" + round, udpTarget[0], Integer.parseInt(udpTarget[1]), 64,
                            1_000, seed, Duration.ofMillis(400), 8, deadline, port::set);
            results.add(new Result(index, o, started, port.get()));
            if (o.kind() != Outcome.Kind.COMPLETE) {
                // a refused or broken path: not hammered (a draining relay refuses at once), the slot keeps its place
                try {
                    Thread.sleep(Duration.ofMillis(200));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /**
     * Counts and judges every tunnel by the relay that carried it (the owner of its connection's port, read off the
     * balancer): ok when whole; failed over when whole on another relay than its client's first one, which was killed
     * or drained; cut by the kill when it failed cleanly on the killed relay (or could not reach a relay) after the
     * kill. Anything else that did not end whole lost bytes: on a drained relay the tunnels it had accepted must end
     * whole, and a request that crossed its GOAWAY is sent again elsewhere.
     */
    private boolean judge(int[] ports, List<RelayClient> clients, PrintStream out) {
        long tunnels = results.size();
        long ok = 0;
        long failedOver = 0;
        long cut = 0;
        long bytes = 0;
        long lost = 0;
        long pathFailed = 0;
        List<String> defects = new ArrayList<>();
        List<String> finStalls = new ArrayList<>();
        for (Result r : results) {
            Outcome o = r.outcome();
            bytes += o.verified();
            String first = owners.get(ports[r.client()]);
            String carrier = r.relayPort() < 0 ? null : owners.get(r.relayPort());
            boolean firstWentAway = first != null && (killed.contains(first) || drained.contains(first));
            if (o.kind() == Outcome.Kind.COMPLETE) {
                ok++;
                if (firstWentAway && carrier != null && !carrier.equals(first)) {
                    failedOver++;
                }
                continue;
            }
            if (unanswered(ports[r.client()])) {
                pathFailed++; // its connection ended at the relay's path validation: a defect of its client, below
                continue;
            }
            boolean afterKill = r.startNanos() + o.elapsed().toNanos() >= killedAt.get();
            boolean onKilled = afterKill && (carrier != null ? killed.contains(carrier)
                    : first != null && killed.contains(first)); // no connection at all: its relay had just died
            if (onKilled && o.clean()) {
                cut++;
            } else if (o.kind() != Outcome.Kind.CORRUPT && o.lost() == 0) {
                // every byte arrived, then a reset or nothing instead of the relay's FIN: the quiche FIN stall of
                // docs/reliability.md (about 1 tunnel in 1,000), reported but not a lost byte
                finStalls.add("client " + r.client() + " on " + carrier + ": " + o);
            } else {
                lost += o.lost();
                defects.add("client " + r.client() + " on " + carrier + " (first " + first + "): " + o);
            }
        }
        for (int i = 0; i < clients.size(); i++) {
            String relay = owners.get(ports[i]);
            if (relay != null && killed.contains(relay)) {
                int c = i;
                // recovered: the first tunnel opened after the kill that completed, counted to its end
                OptionalLong recovery = results.stream().filter(r -> r.client() == c
                                && r.startNanos() > killedAt.get() && r.outcome().kind() == Outcome.Kind.COMPLETE)
                        .mapToLong(r -> r.startNanos() + r.outcome().elapsed().toNanos() - killedAt.get()).min();
                out.println("client " + i + " (killed relay " + relay + "): " + clients.get(i).connectionsMade()
                        + " connections, " + (recovery.isPresent()
                        ? String.format("recovered on a fresh connection %.1f s after the kill",
                                recovery.getAsLong() / 1e9)
                        : "did NOT recover" + results.stream().filter(r -> r.client() == c
                                && r.outcome().kind() != Outcome.Kind.COMPLETE).reduce((a, b) -> b)
                                .map(r -> "; its last tunnel: " + r.outcome()).orElse("")));
                if (recovery.isEmpty()) {
                    defects.add("client " + i + " of the killed relay " + relay + " never recovered");
                }
            }
        }
        for (int i = 0; i < clients.size(); i++) {
            int c = i;
            // on the drained relay when the drain began: a tunnel it carried had started by then (its own client, or
            // one of the killed relay's that had failed over to it)
            String relay = results.stream().filter(r -> r.client() == c && r.startNanos() < drainedAt.get()
                            && r.relayPort() >= 0 && drained.contains(owners.getOrDefault(r.relayPort(), "")))
                    .map(r -> owners.get(r.relayPort())).findFirst().orElse(null);
            if (relay != null) {
                // moved: the first tunnel after the drain began that completed on another relay, to its end
                OptionalLong moved = results.stream().filter(r -> r.client() == c && r.startNanos() > drainedAt.get()
                                && r.outcome().kind() == Outcome.Kind.COMPLETE && r.relayPort() >= 0
                                && !relay.equals(owners.get(r.relayPort())))
                        .mapToLong(r -> r.startNanos() + r.outcome().elapsed().toNanos() - drainedAt.get()).min();
                out.println("client " + i + " (drained relay " + relay + "): " + clients.get(i).connectionsMade()
                        + " connections, " + (moved.isPresent()
                        ? String.format("a tunnel completed on another relay %.1f s after the drain began",
                                moved.getAsLong() / 1e9)
                        : "did NOT move to another relay"));
                if (moved.isEmpty()) {
                    defects.add("client " + i + " of the drained relay " + relay + " never moved to another relay");
                }
            }
        }
        int keptRelay = 0;
        int unansweredClients = 0;
        for (Map.Entry<Integer, Integer> e : rebound.entrySet()) {
            int client = indexOf(ports, e.getKey());
            String before = owners.get(e.getKey());
            String after = owners.get(e.getValue());
            int connections = client < 0 ? -1 : clients.get(client).connectionsMade();
            boolean kept = client >= 0 && before != null && before.equals(after) && connections == 1
                    && results.stream().noneMatch(r -> r.client() == client && r.outcome().lost() > 0);
            // routed to its relay, which then closed the connection because the client never answered its path
            // validation: quiche's client drops PATH_RESPONSE while its congestion window is full (docs/upstream.md)
            boolean unansweredValidation = !kept && before != null && before.equals(after)
                    && unvalidated.contains(e.getValue());
            out.println("rebinding client " + client + ": port " + e.getKey() + " -> " + e.getValue() + ", relay "
                    + before + " -> " + after + ", " + connections + " connection(s): " + (kept ? "kept its relay"
                    : unansweredValidation ? "routed to its relay, which closed the connection: the client did not"
                            + " answer its path validation (the quiche client's PATH_RESPONSE defect, docs/upstream.md)"
                    : "LOST its relay"));
            if (kept) {
                keptRelay++;
            } else if (unansweredValidation) {
                unansweredClients++;
                defects.add("rebinding client " + client + " lost its connection: its relay's path validation went"
                        + " unanswered (quiche client, docs/upstream.md)");
            } else {
                defects.add("rebinding client " + client + " lost its relay");
            }
        }
        finStalls.forEach(f -> out.println("  every byte, then no FIN (the quiche FIN stall, docs/reliability.md): "
                + f));
        defects.stream().limit(20).forEach(d -> out.println("  defect: " + d));
        out.printf("rebinding: %d of %d clients kept their relay%s%n", keptRelay, rebound.size(),
                unansweredClients == 0 ? "" : String.format(", %d routed to it but lost to unanswered path validation"
                        + " (%d tunnels failed with it)", unansweredClients, pathFailed));
        out.printf("fleet-clients: %d tunnels, %d ok, %d failed over, %d cut by the kill, %s, %d B lost%n", tunnels, ok,
                failedOver, cut, human(bytes), lost);
        return defects.isEmpty();
    }

    /**
     * Stops the client on this port from starting tunnels; says "quiet PORT" once its tunnels in flight have ended
     * ("busy PORT" if they have not within 20 s), for the lab to rewrite its port while the connection is idle.
     */
    private void pause(int port) {
        int client = indexOf(clientPorts, port);
        if (client < 0) {
            return;
        }
        Gate gate = new Gate(slotsPerClient);
        gates.put(client, gate);
        Thread.ofVirtual().name("pause-" + port).start(() -> {
            boolean quiet;
            try {
                quiet = gate.idle.await(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (report) {
                report.println((quiet ? "quiet " : "busy ") + port);
                report.flush();
            }
        });
    }

    /** A paused client: its slots count down idle, and wait for resume. */
    private static final class Gate {
        final java.util.concurrent.CountDownLatch idle;
        final java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);

        Gate(int slots) {
            idle = new java.util.concurrent.CountDownLatch(slots);
        }
    }

    /** Whether this client's connection ended at its relay's unanswered path validation (after a rebinding). */
    private boolean unanswered(int port) {
        Integer now = rebound.get(port);
        return now != null && unvalidated.contains(now);
    }

    private static int indexOf(int[] ports, int port) {
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] == port) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Our {@code System.nanoTime()} at the wall-clock instant {@code epochNanos} (the lab's {@code date +%s%N} just before
     * its {@code kill -9}). A client on Kwik sees the kill within a millisecond (ICMP port unreachable on its connected
     * socket): before the lab's "killed" line arrived, so its tunnels cut by the kill were judged as lost bytes.
     */
    private static long nanoTimeOf(long epochNanos) {
        java.time.Instant now = java.time.Instant.now();
        long nowEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return System.nanoTime() - (nowEpochNanos - epochNanos);
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format("%.2f GB", bytes / 1e9);
        }
        return String.format("%.1f MB", bytes / 1e6);
    }

    private void listen(BufferedReader control) {
        try {
            String line;
            while ((line = control.readLine()) != null) {
                String[] w = line.trim().split("\\s+");
                switch (w[0]) {
                    // a port seen on two relays is recorded as both: a client that lost its relay
                    case "owner" -> owners.merge(Integer.parseInt(w[1]), w[2],
                            (a, b) -> a.contains(b) ? a : a + "+" + b);
                    case "killed" -> {
                        killedAt.compareAndSet(Long.MAX_VALUE, w.length > 2 ? nanoTimeOf(Long.parseLong(w[2]))
                                : System.nanoTime());
                        killed.add(w[1]);
                    }
                    case "drained" -> {
                        drainedAt.compareAndSet(Long.MAX_VALUE, System.nanoTime());
                        drained.add(w[1]);
                    }
                    case "rebound" -> rebound.put(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
                    case "unvalidated" -> unvalidated.add(Integer.parseInt(w[1]));
                    case "pause" -> pause(Integer.parseInt(w[1]));
                    // one packet from the new port before the burst of a resumed client: two first packets of a flow
                    // racing through the balancer's conntrack can get the second one a remapped source port (a third
                    // address, which quiche's path validation does not survive, docs/upstream.md)
                    case "probe" -> gates.keySet().forEach(c -> relayClients.get(c).keepAlive());
                    case "resume" -> gates.values().forEach(g -> g.resume.countDown());
                    case "start" -> start.countDown();
                    case "extend" -> {
                        long until = System.nanoTime() + Duration.ofSeconds(Long.parseLong(w[1])).toNanos();
                        extendedStop.accumulateAndGet(until, Math::max);
                    }
                    case "end" -> end.countDown();
                    default -> { } // blank or unknown: the lab's business
                }
            }
        } catch (IOException | RuntimeException e) {
            // the lab went away: end the run with what we know
        }
        start.countDown();
        end.countDown();
    }
}
