package org.masquerelay.server.cli;

import org.masquerelay.display.Addresses;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.SettingsFactory;
import org.masquerelay.server.admin.AdminServer;
import org.masquerelay.server.metrics.RelayMetrics;
import org.masquerelay.server.config.ListenAddress;
import org.masquerelay.server.config.LogLevel;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.server.config.RelayConfig;
import org.masquerelay.server.config.TlsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the relay from a configuration file (see configs/), with command-line overrides.",
                "Without -c: the defaults (port 443 on every address), which still need --cert and --key."})
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file (see configs/).")
    Path config;

    @Option(names = "--listen", description = "host:port to listen on, repeatable; replaces the file's 'listen'")
    List<String> listen;

    @Option(names = "--tcp-listen", paramLabel = "HOST:PORT", description = "host:port of the HTTP/2 and HTTP/1.1"
            + " listener (TLS over TCP), repeatable; replaces the file's 'tcp-listen' (default: the --listen addresses)")
    List<String> tcpListen;

    @Option(names = "--cert", description = "PEM certificate chain (leaf first); replaces tls.certificate")
    Path certificate;

    @Option(names = "--key", description = "PEM private key; replaces tls.private-key")
    Path key;

    @Option(names = "--server-name", description = "our name in Proxy-Status and logs")
    String serverName;

    @Option(names = "--log-level", description = "error, warn, info or debug; replaces log.level")
    String logLevel;

    @Option(names = "--engine", description = "QUIC engine: auto, kwik or quiche; replaces the file's 'engine'")
    String engine;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "admin listener (/healthz, /readyz, /metrics), "
            + "e.g. 127.0.0.1:9464; replaces admin.listen")
    String admin;

    @Override
    public Integer call() throws IOException {
        RelayConfig cfg = config == null ? RelayConfig.defaults() : RelayConfig.load(config);
        cfg = applyOverrides(cfg);
        configureLogging(cfg);
        RelaySettings settings = SettingsFactory.from(cfg);
        RelayMetrics metrics = new RelayMetrics();
        AdminServer adminServer = cfg.admin().isPresent() ? AdminServer.start(cfg.admin().get().socketAddress(), metrics) : null;
        RelayServer server;
        try {
            server = RelayServer.start(settings, metrics);
        } catch (IOException | RuntimeException e) {
            if (adminServer != null) {
                adminServer.close();
            }
            throw e;
        }
        if (adminServer != null) {
            adminServer.serving(server);
            System.out.println("admin: " + adminServer.url());
        }
        Runnable reload = config == null
                ? () -> Logging.direct(java.util.logging.Level.INFO, "SIGHUP: no configuration file (-c) to re-read")
                : new Reloader(config, this::applyOverrides, server, cfg, this::configureLogging)::reload;
        Running.untilStopped(server, cfg.timeouts().drain(), adminServer, reload, () -> {
            System.out.println("MASQUE relay running on "
                    + String.join(", ", server.addresses().stream().map(Addresses::format).toList())
                    + " (HTTP/3, UDP)" + (server.tcpAddresses().isEmpty() ? "" : " and "
                    + String.join(", ", server.tcpAddresses().stream().map(Addresses::format).toList())
                    + " (HTTP/2 and HTTP/1.1, TCP)") + " as '" + settings.serverName() + "'. Stop with Ctrl-C.");
            System.out.flush();
        });
        return 0;
    }

    /** The log as the configuration says, --log-level winning over the file's log.level. */
    private void configureLogging(RelayConfig cfg) {
        Logging.configure(logLevel != null ? LogLevel.parse("--log-level", logLevel) : cfg.logLevel(), cfg.logFormat());
    }

    RelayConfig applyOverrides(RelayConfig loaded) {
        RelayConfig.Builder cfg = loaded.newBuilder();
        if (listen != null && !listen.isEmpty()) {
            cfg.listen(listen.stream().map(text -> ListenAddress.parse("--listen", text)).toList());
        }
        if (tcpListen != null && !tcpListen.isEmpty()) {
            cfg.tcpListen(tcpListen.stream().map(text -> ListenAddress.parse("--tcp-listen", text)).toList());
        }
        if (certificate != null || key != null) {
            if (certificate == null || key == null) {
                throw new IllegalArgumentException("--cert and --key go together");
            }
            cfg.tls(new TlsConfig.PemFiles(certificate, key));
        }
        if (serverName != null) {
            cfg.serverName(serverName);
        }
        if (engine != null) {
            cfg.engine(QuicEngine.parse("--engine", engine));
        }
        if (admin != null) {
            cfg.admin(ListenAddress.parse("--admin", admin));
        }
        return cfg.build();
    }
}
