package org.masquerelay.interop.reliability;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces and nftables rules for the fault lab, through the ip and nft commands. Everything happens in a
 * namespace of our own, on its loopback interface: nothing leaves it and the machine's own network is untouched.
 */
final class Netns {
    static final String TABLE = "mrlab";

    private Netns() {
    }

    /** Why the lab cannot run here, or empty when it can (root, Linux, ip and nft installed). */
    static Optional<String> unavailable() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("the fault lab needs Linux network namespaces");
        }
        if (!isRoot()) {
            return Optional.of("the fault lab needs root (network namespaces and nftables)");
        }
        for (String tool : List.of("ip", "nft")) {
            if (which(tool).isEmpty()) {
                return Optional.of("the fault lab needs '" + tool + "' (Debian: apt-get install "
                        + (tool.equals("ip") ? "iproute2" : "nftables") + ")");
            }
        }
        return Optional.empty();
    }

    private static boolean isRoot() {
        try {
            return run(List.of("id", "-u")).trim().equals("0");
        } catch (IOException e) {
            return false;
        }
    }

    static Optional<String> which(String tool) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            File f = new File(dir, tool);
            if (!dir.isEmpty() && f.canExecute()) {
                return Optional.of(f.getPath());
            }
        }
        return Optional.empty();
    }

    /** Runs a command to completion (30 s at most); its output, or an IOException with it on failure. */
    static String run(List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(command);
        Optional<String> path = which(cmd.get(0));
        if (path.isPresent()) {
            cmd.set(0, path.get());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.trim());
        }
        return out;
    }

    // ---- inside the namespace: nftables on its loopback ----

    /** A table with one output chain: every packet on loopback passes it once, in each direction. */
    static void createTable() throws IOException {
        run(List.of("nft", "add", "table", "inet", TABLE));
        run(List.of("nft", "add", "chain", "inet", TABLE, "out", "{ type filter hook output priority 0 ; policy accept ; }"));
    }

    static void clearRules() throws IOException {
        run(List.of("nft", "flush", "chain", "inet", TABLE, "out"));
    }

    /** Drops this percentage of the UDP packets to and from a port, at random (nftables numgen). */
    static void dropUdp(int port, int percent) throws IOException {
        for (String dir : List.of("dport", "sport")) {
            run(List.of("nft", "add", "rule", "inet", TABLE, "out", "udp", dir, Integer.toString(port),
                    "numgen", "random", "mod", "100", "<", Integer.toString(percent), "counter", "drop"));
        }
    }

    /** Drops every TCP packet to and from a port: a target that vanished from the network. */
    static void blackholeTcp(int port) throws IOException {
        for (String dir : List.of("dport", "sport")) {
            run(List.of("nft", "add", "rule", "inet", TABLE, "out", "tcp", dir, Integer.toString(port), "counter", "drop"));
        }
    }

    /** The packets the rules dropped so far (the sum of their counters). */
    static long dropped() throws IOException {
        long total = 0;
        for (String line : run(List.of("nft", "list", "chain", "inet", TABLE, "out")).split("\n")) {
            int i = line.indexOf("counter packets ");
            if (i >= 0) {
                total += Long.parseLong(line.substring(i + 16).split(" ")[0]);
            }
        }
        return total;
    }
}
