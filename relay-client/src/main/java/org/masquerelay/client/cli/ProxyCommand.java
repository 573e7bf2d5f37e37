package org.masquerelay.client.cli;

import org.masquerelay.client.RelayClient;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTransport;
import org.masquerelay.client.proxy.LocalProxy;
import org.masquerelay.display.Addresses;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** {@code relay-client proxy}: local SOCKS5 and HTTP proxy front ends that forward through the relay. */
@Command(name = "proxy", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs local SOCKS5 and HTTP proxy front ends so that unmodified programs use the relay.",
                "For example:",
                "  curl --socks5-hostname 127.0.0.1:1080 http://example.com/",
                "  curl -x http://127.0.0.1:8080 https://example.com/",
                "TCP goes as classic CONNECT, SOCKS5 UDP ASSOCIATE as connect-udp.",
                "It accepts connections as soon as it says it listens, connects to the relay meanwhile, and runs until"
                        + " interrupted (Ctrl-C)."},
        footer = {"", ExitCodes.PROXY_HELP})
final class ProxyCommand implements Callable<Integer> {
    @Mixin
    RelayOptions relay;

    @Option(names = "--socks5", paramLabel = "HOST:PORT", description = "SOCKS5 listen address, e.g. 127.0.0.1:1080.")
    String socks5;

    @Option(names = "--http", paramLabel = "HOST:PORT", description = "HTTP proxy listen address, e.g. 127.0.0.1:8080.")
    String http;

    @Option(names = {"-v", "--verbose"}, description = "Log every flow, its route and failures on stderr.")
    boolean verbose;

    @Option(names = "--request-timeout", paramLabel = "SECONDS", description = "How long to wait for the relay's answer to a tunnel request (default ${DEFAULT-VALUE}).")
    double requestTimeout = 15;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        ClientLogging.configure(verbose);
        if (socks5 == null && http == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --socks5 HOST:PORT and/or --http HOST:PORT");
        }
        relay.warnIfInsecure(err);
        RelayClient client;
        InetSocketAddress socksAddress;
        InetSocketAddress httpAddress;
        try {
            socksAddress = socks5 == null ? null : parse(socks5, "--socks5");
            httpAddress = http == null ? null : parse(http, "--http");
            client = relay.build(RelayOptions.seconds(requestTimeout), relay.relaysFor("https"));
        } catch (IllegalArgumentException e) {
            err.println("relay-client: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        // Listen first: 'relay-client proxy ... &' followed at once by a curl through it must work.
        LocalProxy proxy;
        try {
            proxy = LocalProxy.start(client, socksAddress, httpAddress, line -> {
                if (verbose) {
                    err.println("* " + line);
                }
            });
        } catch (BindException e) {
            client.close();
            err.println("relay-client: cannot listen: " + e.getMessage() + " (another program has that port; choose another)");
            return ExitCodes.LOCAL_ADDRESS;
        }
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            client.close();
            exit.complete(ExitCodes.OK);
        }, "proxy-shutdown"));
        if (proxy.socks5Address() != null) {
            err.println("relay-client: SOCKS5 proxy listening on " + Addresses.format(proxy.socks5Address()));
        }
        if (proxy.httpAddress() != null) {
            err.println("relay-client: HTTP proxy listening on " + Addresses.format(proxy.httpAddress()));
        }
        err.flush();
        // Meanwhile, connect: a relay name that does not resolve or a certificate that is not trusted will not get
        // better, so they stop the proxy now rather than at the first flow. A relay that does not answer yet may
        // (it is starting, the network is back): each new flow tries again.
        Thread.ofVirtual().name("relay-connect").start(() -> {
            try {
                Duration took = client.connect();
                RelayTransport.Choice transport = client.transportChoice();
                err.println("relay-client: relay " + String.join(", ", client.relays().stream().map(Object::toString).toList())
                        + " connected in " + took.toMillis() + " ms over " + transport.protocol());
                if (verbose) {
                    err.println("* transport: " + transport);
                }
            } catch (RelayException e) {
                ExitCodes.Outcome outcome = ExitCodes.of(e);
                if (outcome.code() == ExitCodes.CONNECT || outcome.code() == ExitCodes.TIMEOUT) {
                    err.println("relay-client: warning: " + outcome.message() + "; each new connection tries again");
                } else {
                    err.println("relay-client: " + outcome.message());
                    exit.complete(outcome.code());
                }
            }
        });
        int code = exit.join();
        proxy.close();
        client.close();
        return code;
    }

    static InetSocketAddress parse(String hostPort, String option) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(option + " '" + hostPort + "' is not HOST:PORT");
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        try {
            return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " '" + hostPort + "': " + e.getMessage());
        }
    }
}
