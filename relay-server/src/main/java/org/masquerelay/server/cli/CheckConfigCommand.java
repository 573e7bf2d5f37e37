package org.masquerelay.server.cli;

import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.SettingsFactory;
import org.masquerelay.server.config.RelayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Checks a configuration file (and loads its certificate) without starting; prints what it would run.")
final class CheckConfigCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "YAML configuration file")
    Path config;

    @Override
    public Integer call() {
        RelayConfig cfg = RelayConfig.load(config);
        RelaySettings settings = SettingsFactory.from(cfg);
        System.out.println(config + ": OK");
        System.out.println("  listen:       " + settings.listen());
        System.out.println("  server name:  " + settings.serverName());
        System.out.println("  policy:       " + cfg.policy());
        System.out.println("  engine:       " + settings.engine().configName());
        System.out.println("  client certs: " + cfg.clientCa().map(ca -> "required, from " + ca).orElse("not asked for"));
        System.out.println("  auth:         " + cfg.auth().map(Object::toString).orElse("none"));
        System.out.println("  connect-udp:  default template" + (settings.udpTemplates().isEmpty() ? "" : " + " + cfg.connectUdp().template()));
        return 0;
    }
}
