package org.masquerelay.client.cli;

import org.masquerelay.client.RelayClient;
import org.masquerelay.client.proxy.LocalProxy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code relay-client proxy}: local SOCKS5 and HTTP proxy front ends that forward through the relay. */
@Command(name = "proxy", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run local proxy front ends so unmodified programs use the relay:",
                "  curl --socks5-hostname 127.0.0.1:1080 http://...     curl -x http://127.0.0.1:8080 https://...",
                "TCP goes as classic CONNECT, SOCKS5 UDP ASSOCIATE as connect-udp. Runs until interrupted (Ctrl-C)."},
        footer = {"", ExitCodes.HELP})
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

    @Override
    public Integer call() throws Exception {
        if (socks5 == null && http == null) {
            System.err.println("relay-client: give --socks5 HOST:PORT and/or --http HOST:PORT");
            return ExitCodes.USAGE;
        }
        RelayClient client;
        InetSocketAddress socksAddress;
        InetSocketAddress httpAddress;
        try {
            client = relay.build(RelayOptions.seconds(requestTimeout));
            socksAddress = socks5 == null ? null : parse(socks5, "--socks5");
            httpAddress = http == null ? null : parse(http, "--http");
        } catch (IllegalArgumentException e) {
            System.err.println("relay-client: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        // Connect now: a wrong relay address or certificate should stop us at start, not at the first flow.
        Duration took = client.connect();
        LocalProxy proxy = LocalProxy.start(client, socksAddress, httpAddress, line -> {
            if (verbose) {
                System.err.println("* " + line);
            }
        });
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            client.close();
            stop.countDown();
        }));
        System.err.println("relay-client: relay " + client.relays() + " connected in " + took.toMillis() + " ms");
        if (proxy.socks5Address() != null) {
            System.err.println("relay-client: SOCKS5 on " + hostPort(proxy.socks5Address()));
        }
        if (proxy.httpAddress() != null) {
            System.err.println("relay-client: HTTP proxy on " + hostPort(proxy.httpAddress()));
        }
        stop.await();
        return ExitCodes.OK;
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
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
