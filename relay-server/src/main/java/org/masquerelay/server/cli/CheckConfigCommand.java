package org.masquerelay.server.cli;

import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.SettingsFactory;
import org.masquerelay.server.config.LogLevel;
import org.masquerelay.server.config.RelayConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

@Command(name = "check-config", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Checks a configuration file and loads its certificate without starting the relay.",
                "Prints what it understood: addresses, certificate names and expiry, authentication, policy, limits."})
final class CheckConfigCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file (see configs/).")
    Path config;

    /** Accepted for scripts written before -c: check-config FILE. */
    @Parameters(index = "0", arity = "0..1", hidden = true)
    Path positional;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path file = config != null ? config : positional;
        if (file == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give the configuration file: -c FILE");
        }
        // Nothing starts, so nothing is "listening": only warnings from what loads the configuration.
        Logging.configure(LogLevel.WARN);
        RelayConfig cfg = RelayConfig.load(file);
        RelaySettings settings = SettingsFactory.from(cfg);
        System.out.println(file + ": OK");
        ConfigSummary.lines(cfg, settings, Instant.now()).forEach(System.out::println);
        return 0;
    }
}
