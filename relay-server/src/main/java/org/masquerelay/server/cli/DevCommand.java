package org.masquerelay.server.cli;

import org.masquerelay.server.DevMode;
import org.masquerelay.server.RelayServer;
import org.masquerelay.display.Addresses;
import org.masquerelay.server.config.LogLevel;
import org.masquerelay.server.config.ListenAddress;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.server.admin.AdminServer;
import org.masquerelay.server.metrics.RelayMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "dev", mixinStandardHelpOptions = true,
        description = {"Runs the relay on loopback with a generated dev CA and certificate, allowing loopback targets only.",
                "Nothing but this machine can use it or be reached through it."})
final class DevCommand implements Callable<Integer> {

    @Option(names = "--port", description = "port on 127.0.0.1 and ::1, UDP (HTTP/3) and TCP (HTTP/2, HTTP/1.1) (default: ${DEFAULT-VALUE})")
    int port = DevMode.DEFAULT_PORT;

    @Option(names = "--state-dir", description = "where the dev CA and certificate are kept (default: ${DEFAULT-VALUE})")
    Path stateDir = DevMode.DEFAULT_STATE_DIR;

    @Option(names = "--log-level", description = "error, warn, info or debug (default: ${DEFAULT-VALUE})")
    String logLevel = "info";

    @Option(names = "--engine", description = "QUIC engine: auto (quiche where its native library loads, else kwik), kwik or quiche (default: ${DEFAULT-VALUE})")
    String engine = "auto";

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "admin listener (/healthz, /readyz, /metrics)"
            + " (default: ${DEFAULT-VALUE}, a free port on loopback)")
    String admin = "127.0.0.1:0";

    @Override
    public Integer call() throws IOException {
        Logging.configure(LogLevel.parse("--log-level", logLevel));
        QuicEngine quicEngine = QuicEngine.parse("--engine", engine);
        java.net.InetSocketAddress adminAddress = ListenAddress.parse("--admin", admin).socketAddress();
        DevMode.Dev dev = DevMode.prepare(stateDir, DevMode.loopback(port));
        RelayMetrics metrics = new RelayMetrics();
        AdminServer adminServer = AdminServer.start(adminAddress, metrics);
        RelayServer server;
        try {
            server = RelayServer.start(dev.settings().newBuilder().engine(quicEngine)
                    .tcpListen(DevMode.loopback(port)).build(), metrics);
        } catch (IOException | RuntimeException e) {
            adminServer.close();
            throw e;
        }
        adminServer.serving(server);
        Running.untilStopped(server, org.masquerelay.server.config.Timeouts.DEFAULT_DRAIN, adminServer,
                () -> Logging.direct(java.util.logging.Level.INFO, "SIGHUP: dev mode has no configuration file to re-read"),
                () -> printBanner(System.out, server, dev, adminServer));
        return 0;
    }

    private static void printBanner(PrintStream out, RelayServer server, DevMode.Dev dev, AdminServer admin) {
        int port = server.addresses().get(0).getPort();
        Path ca = dev.caCertificate().toAbsolutePath();
        out.println("MASQUE relay (dev mode) running.");
        out.println("  relay URL:   https://localhost:" + port + "/   (HTTP/3 over UDP; also 127.0.0.1 and [::1])");
        out.println("  listening:   " + String.join(", ", server.addresses().stream().map(Addresses::format).toList())
                + " (UDP, HTTP/3)");
        if (!server.tcpAddresses().isEmpty()) {
            out.println("               " + String.join(", ", server.tcpAddresses().stream().map(Addresses::format).toList())
                    + " (TCP, HTTP/2 and HTTP/1.1: for clients without UDP)");
        }
        out.println("  dev CA:      " + ca);
        out.println("  policy:      loopback targets only (127.0.0.0/8, ::1)");
        out.println("admin: " + admin.url() + "   (healthz, readyz, metrics)");
        out.println("Try it from another terminal (a local HTTP server, then a relayed fetch):");
        out.println("  python3 -m http.server 8000 --bind 127.0.0.1 &");
        out.println("  bin/relay-client fetch -v -x https://localhost:" + port + "/ --proxy-cacert " + ca + " http://127.0.0.1:8000/");
        out.println("Over TCP (HTTP/1.1 CONNECT; add --proxy-http2 with a curl built with nghttp2 for HTTP/2):");
        out.println("  curl -x https://127.0.0.1:" + port + " --proxy-cacert " + ca + " -p http://127.0.0.1:8000/");
        out.println("Stop with Ctrl-C.");
        out.flush();
    }
}
