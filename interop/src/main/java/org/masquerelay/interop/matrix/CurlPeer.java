package org.masquerelay.interop.matrix;

import org.masquerelay.testpeers.FullListener;
import org.masquerelay.testpeers.TcpSinkServer;
import org.masquerelay.tools.apple.Streams;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.masquerelay.interop.matrix.CaseFailure.check;

/**
 * curl (a client we did not write) through the relay's TCP listener as users run it: {@code curl -x https://relay
 * --proxy-cacert ca.pem -p http://...}, an HTTP/1.1 CONNECT through a TLS proxy (Debian's curl), or with
 * {@code --proxy-http2} a CONNECT stream on an HTTP/2 connection to the proxy (curl ≥ 8.1 with nghttp2; Debian 12's
 * 7.88 has no such option). curl speaks HTTP through the tunnel, to {@link HttpOrigin}, so the raw-byte cases that
 * need a socket of their own (optimistic data, half-close, a cancelled CONNECT) are not something it can do.
 */
public final class CurlPeer implements ClientPeer {
    /** Debian's curl, which .ci/run installs. */
    public static final Path DEBIAN_CURL = Path.of("/usr/bin/curl");
    /** The proxy's status in -v: "< HTTP/1.1 403 ..." (HTTP/1.1), "* CONNECT Response Status 403" (HTTP/2, curl 8). */
    private static final Pattern STATUS = Pattern.compile("(?m)^(?:< HTTP/[0-9.]+ |\\* CONNECT Response Status )(\\d{3})");
    private final Path curl;
    private final boolean proxyHttp2;
    private final Path workDir;
    /** Whether this curl has --proxy-http2, asked once. */
    private Boolean canProxyHttp2;

    /**
     * @param curl       the curl binary
     * @param proxyHttp2 speak HTTP/2 to the relay ({@code --proxy-http2}); else HTTP/1.1
     * @param workDir    where request bodies and responses go
     */
    public CurlPeer(Path curl, boolean proxyHttp2, Path workDir) {
        this.curl = curl;
        this.proxyHttp2 = proxyHttp2;
        this.workDir = workDir;
    }

    /** Whether this curl has {@code --proxy-http2} (curl 8.1 and later, built with nghttp2). */
    public static boolean supportsProxyHttp2(Path curl) {
        try {
            Process p = new ProcessBuilder(curl.toString(), "--help", "all").redirectErrorStream(true).start();
            String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && help.contains("--proxy-http2");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private synchronized boolean proxyHttp2Usable() {
        if (canProxyHttp2 == null) {
            canProxyHttp2 = supportsProxyHttp2(curl);
        }
        return canProxyHttp2;
    }

    @Override
    public String name() {
        return proxyHttp2 ? "curl-http2" : "curl-http1.1";
    }

    @Override
    public Transport transport() {
        return proxyHttp2 ? Transport.H2 : Transport.H1;
    }

    @Override
    public String unsupported(Case c) {
        if (!Files.isExecutable(curl)) {
            return "no curl at " + curl + " (.ci/run installs Debian's)";
        }
        if (proxyHttp2 && !proxyHttp2Usable()) {
            return curl + " has no --proxy-http2 (curl 8.1 or later with nghttp2; Debian 12's is 7.88.1): give one with --curl";
        }
        return switch (c) {
            case C -> "curl tunnels only TCP through an HTTP/1.1 or HTTP/2 proxy (no connect-udp)";
            case O -> "curl sends nothing into a CONNECT tunnel before the proxy's 2xx (no optimistic data)";
            case F -> "curl speaks HTTP through the tunnel and has no half-close of it (T, S and L carry HTTP through it)";
            case X -> "curl cannot cancel one CONNECT while another runs on the same connection";
            default -> null;
        };
    }

    /** What one curl run left: its exit status, what -v wrote and the relay's status to the CONNECT. */
    private record Run(int exit, String stderr) {
        int connectStatus() {
            Matcher m = STATUS.matcher(stderr);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        }

        String lastLine() {
            return stderr.strip().lines().reduce((a, b) -> b).orElse("");
        }
    }

    private List<String> through(ServerUnderTest server, boolean withCredentials) throws CaseFailure {
        List<String> args = new ArrayList<>(List.of(curl.toString(), "-sS", "--max-time", "60"));
        if (proxyHttp2) {
            args.add("--proxy-http2");
        }
        args.addAll(List.of("-x", "https://" + server.host() + ":" + server.tcpPort(), "--proxy-cacert",
                server.rootPem().toString(), "-p", "-H", "Expect:"));
        if (withCredentials) {
            server.credentials().forEach((k, v) -> args.addAll(List.of("--proxy-header", k + ": " + v)));
        }
        return args;
    }

    private Run run(List<String> command, Path stdout, CellLog log) throws Exception {
        log.add("$ " + String.join(" ", command));
        Path err = Files.createTempFile(Files.createDirectories(workDir), "curl", ".err");
        Process p = new ProcessBuilder(command).redirectError(err.toFile())
                .redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile())).start();
        try {
            check(p.waitFor(90, TimeUnit.SECONDS), "curl did not finish within 90 s");
        } finally {
            p.destroyForcibly();
        }
        Run r = new Run(p.exitValue(), Files.readString(err));
        Files.deleteIfExists(err);
        log.add("curl exit " + r.exit() + (r.stderr().isBlank() ? "" : ": " + r.lastLine()));
        return r;
    }

    private byte[] get(ServerUnderTest server, String path, CellLog log, String... extra) throws Exception {
        Path out = Files.createTempFile(Files.createDirectories(workDir), "curl", ".out");
        try {
            List<String> command = through(server, true);
            command.addAll(List.of(extra));
            command.addAll(List.of("-o", out.toString(), path));
            Run r = run(command, null, log);
            check(r.exit() == 0, "curl exit " + r.exit() + ": " + r.lastLine());
            return Files.readAllBytes(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Override
    public void run(Case c, ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        HttpOrigin origin = env.httpOrigin;
        switch (c) {
            case H -> handshake(server, log);
            case T -> check(Arrays.equals(get(server, origin.url("/hello"), log), HttpOrigin.HELLO.getBytes(StandardCharsets.UTF_8)),
                    "the origin's answer differs");
            case P -> parallel(server, origin, log);
            case R -> refused(server, "http://192.0.2.1/", true, log, 403, "destination_ip_prohibited");
            case A -> refused(server, origin.url("/hello"), false, log, 407, null);
            case E -> {
                try (FullListener full = FullListener.open(); ServerPeer.Running relay = server.dedicated(Duration.ofMillis(700))) {
                    refused(relay.target(), "http://" + full.authority() + "/", true, log, 504, "connection_timeout");
                }
                refused(server, "http://127.0.0.1:" + env.closedPort + "/", true, log, 502, "connection_refused");
            }
            case S -> transfers(server, env, log);
            case L -> large(server, env, log);
            case K -> relayKilled(server, env, log);
            default -> throw new CaseFailure("not implemented for curl: " + c);
        }
    }

    /** TLS to the listener itself, ALPN as the row speaks, and the relay's answer to GET /.well-known/pvd. */
    private void handshake(ServerUnderTest server, CellLog log) throws Exception {
        Path headers = Files.createTempFile(Files.createDirectories(workDir), "curl", ".headers");
        try {
            List<String> command = new ArrayList<>(List.of(curl.toString(), "-sS", "--max-time", "30", proxyHttp2 ? "--http2" : "--http1.1",
                    "--cacert", server.rootPem().toString(), "-D", headers.toString(), "-o", "/dev/null",
                    "https://" + server.host() + ":" + server.tcpPort() + "/.well-known/pvd"));
            Run r = run(command, null, log);
            check(r.exit() == 0, "curl exit " + r.exit() + ": " + r.lastLine());
            String head = Files.readString(headers);
            String first = head.lines().findFirst().orElse("");
            log.add("relay answered: " + first + "; alt-svc " + head.lines().filter(l -> l.toLowerCase().startsWith("alt-svc")).findFirst().orElse("none"));
            check(first.startsWith(proxyHttp2 ? "HTTP/2 200" : "HTTP/1.1 200"), "expected " + (proxyHttp2 ? "HTTP/2" : "HTTP/1.1") + " 200, got " + first);
            check(head.toLowerCase().contains("alt-svc: h3=\":" + server.port() + "\""), "no Alt-Svc h3 naming the HTTP/3 port");
        } finally {
            Files.deleteIfExists(headers);
        }
    }

    /** curl -Z: eight transfers at once, each through its CONNECT; the origin answers only when all eight are there. */
    private void parallel(ServerUnderTest server, HttpOrigin origin, CellLog log) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(workDir), "parallel");
        List<String> command = through(server, true);
        // --parallel-immediate: open every tunnel at once, instead of waiting to see whether one connection could
        // carry them all (for HTTP/1.1 it cannot; with --proxy-http2 curl may still put them on one connection).
        command.addAll(List.of("-Z", "--parallel-immediate", "--parallel-max", String.valueOf(HttpOrigin.TOGETHER)));
        for (int i = 0; i < HttpOrigin.TOGETHER; i++) {
            command.addAll(List.of("-o", dir.resolve("out" + i).toString(), origin.url("/together/" + i)));
        }
        Run r = run(command, null, log);
        check(r.exit() == 0, "curl exit " + r.exit() + ": " + r.lastLine());
        for (int i = 0; i < HttpOrigin.TOGETHER; i++) {
            String got = Files.readString(dir.resolve("out" + i));
            check(got.equals("tunnel " + i + ": " + HttpOrigin.TOGETHER + " at once"), "transfer " + i + ": " + got);
        }
        log.add(HttpOrigin.TOGETHER + " tunnels carried their requests at once");
    }

    /** A refused CONNECT: curl fails, and -v shows the relay's status and Proxy-Status error. */
    private void refused(ServerUnderTest server, String url, boolean withCredentials, CellLog log, int status, String error) throws Exception {
        List<String> command = through(server, withCredentials);
        command.addAll(List.of("-v", url));
        Run r = run(command, null, log);
        check(r.exit() != 0, "curl succeeded through a CONNECT that should have been refused");
        check(r.connectStatus() == status, "expected the relay's " + status + " to CONNECT, curl saw " + r.connectStatus() + ": " + r.lastLine());
        // "< proxy-status: ..." over HTTP/1.1; "*   proxy-status: ..." among the CONNECT's response headers over HTTP/2.
        String proxyStatus = r.stderr().lines().filter(l -> l.toLowerCase().matches("^[<*]\\s+proxy-status:.*")).findFirst().orElse("none");
        log.add("relay answered " + r.connectStatus() + ", " + proxyStatus);
        check(error == null || proxyStatus.contains("error=" + error), "Proxy-Status lacks error=" + error + ": " + proxyStatus);
    }

    private void transfers(ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        Path dir = Files.createDirectories(workDir);
        byte[] kb = new byte[1024];
        new Random(1).nextBytes(kb);
        Path kbFile = Files.write(Files.createTempFile(dir, "kb", ".bin"), kb);
        check(Arrays.equals(get(server, env.httpOrigin.url("/echo"), log, "--data-binary", "@" + kbFile), kb), "1 KB echo differs");
        byte[] down = get(server, env.httpOrigin.url("/source"), log);
        check(down.length == InteropEnv.SOURCE_LENGTH && TcpSinkServer.sha256Hex(down).equals(env.source.sha256()),
                "1 MiB download: " + down.length + " bytes");
        byte[] mb = new byte[InteropEnv.SOURCE_LENGTH];
        new Random(2).nextBytes(mb);
        Path mbFile = Files.write(Files.createTempFile(dir, "mb", ".bin"), mb);
        String sunk = new String(get(server, env.httpOrigin.url("/sink"), log, "--data-binary", "@" + mbFile), StandardCharsets.UTF_8);
        check(sunk.equals(mb.length + " " + TcpSinkServer.sha256Hex(mb)), "1 MiB upload: the origin got " + sunk);
        Files.deleteIfExists(kbFile);
        Files.deleteIfExists(mbFile);
        log.add("1 KB echo, 1 MiB down, 1 MiB up: SHA-256 intact");
    }

    /** curl writing the 50 MiB download to its stdout, hashed here as it comes. */
    private Process download(ServerUnderTest server, InteropEnv env, Path err, CellLog log) throws Exception {
        List<String> command = through(server, true);
        command.add(env.httpOrigin.url("/large"));
        log.add("$ " + String.join(" ", command));
        return new ProcessBuilder(command).redirectError(err.toFile()).start();
    }

    private void large(ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        Path err = Files.createTempFile(Files.createDirectories(workDir), "curl", ".err");
        Process p = download(server, env, err, log);
        try {
            long t0 = System.nanoTime();
            Transfers.Digest d = Transfers.drain(p.getInputStream());
            check(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "curl exit " + p.exitValue() + ": " + Files.readString(err).strip());
            Transfers.checkLarge(d, env, t0, log);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(err);
        }
    }

    /** K: the relay closed under a download; curl must fail (a truncated body is exit 18, a cut tunnel 56), not end clean. */
    private void relayKilled(ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        Path err = Files.createTempFile(Files.createDirectories(workDir), "curl", ".err");
        try (ServerPeer.Running relay = server.dedicated(null)) {
            Process p = download(relay.target(), env, err, log);
            try {
                InputStream body = p.getInputStream();
                Streams.readExactly(body, Transfers.BEFORE_KILL, Duration.ofSeconds(10));
                log.add(Transfers.BEFORE_KILL + " bytes of the download received");
                Transfers.killAndExpectFailure(relay, () -> {
                    long rest = Transfers.drain(body).bytes();
                    if (p.waitFor() != 0) { // bounded by killAndExpectFailure, like the drain
                        throw new IOException("curl exit " + p.exitValue() + ": " + Files.readString(err).strip());
                    }
                    return rest;
                }, log);
            } finally {
                p.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
