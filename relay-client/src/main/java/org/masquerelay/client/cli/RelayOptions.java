package org.masquerelay.client.cli;

import org.masquerelay.client.ClientEngines;
import org.masquerelay.client.RelayClient;
import org.masquerelay.client.RelayTransport;
import org.masquerelay.client.RoutePolicy;
import org.masquerelay.client.TrustMaterial;
import org.masquerelay.client.UdpMode;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Options shared by fetch and proxy: which relays, how to trust them, what to send them, what to route. */
final class RelayOptions {
    @Option(names = {"-x", "--proxy"}, paramLabel = "URL",
            description = "Relay: https://host:port/ or an RFC 9298 URI template (https://host:port/p/{target_host}/{target_port}/)."
                    + " Repeat to chain relays: each is reached through the one before."
                    + " Default: the https_proxy / HTTPS_PROXY or all_proxy / ALL_PROXY variable (http_proxy for http:// URLs), as curl.")
    List<String> relays = new ArrayList<>();

    @Option(names = "--proxy-cacert", paramLabel = "FILE", description = "Trust the CA certificate(s) in this PEM file for the relay (default: system roots).")
    Path proxyCaCert;

    @Option(names = "--proxy-insecure", description = "Do not verify the relay's certificate (testing only).")
    boolean proxyInsecure;

    @Option(names = "--proxy-header", paramLabel = "'Name: value'",
            description = "Header added to every CONNECT (Apple's additionalHTTPHeaderFields), e.g. 'Proxy-Authorization: Preshared k'.")
    List<String> proxyHeaders = new ArrayList<>();

    @Option(names = "--proxy-cert", paramLabel = "FILE", description = "Client certificate for mutual TLS: a PKCS#12 file (.p12 or .pfx), or PEM with --proxy-key.")
    Path proxyCert;

    @Option(names = "--proxy-key", paramLabel = "FILE", description = "PKCS#8 PEM private key for --proxy-cert.")
    Path proxyKey;

    @Option(names = "--proxy-pass", paramLabel = "PASSWORD", description = "Password of the PKCS#12 client certificate.")
    String proxyPass = "";

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", description = "Bound on the QUIC (or TCP+TLS) handshake with each relay (default ${DEFAULT-VALUE}).")
    double connectTimeout = 10;

    @Option(names = "--resolve", paramLabel = "HOST:PORT:ADDR",
            description = "Connect to ADDR for HOST:PORT (the relay, or a target reached directly); the name stays HOST for TLS."
                    + " E.g. relay.example.com:443:127.0.0.1 (repeatable).")
    List<String> resolve = new ArrayList<>();

    @Option(names = "--connect-to", paramLabel = "HOST1:PORT1:HOST2:PORT2",
            description = "Connect to HOST2:PORT2 for HOST1:PORT1 (the relay, or a target); the name stays HOST1 for TLS."
                    + " Empty parts mean any / the same (repeatable).")
    List<String> connectTo = new ArrayList<>();

    @Option(names = "--noproxy", paramLabel = "LIST",
            description = "Hosts to reach directly, never through the relay: names (with their subdomains), addresses,"
                    + " CIDRs, or '*' (default: the no_proxy / NO_PROXY variable).")
    String noProxy;

    @Option(names = "--capsules", description = "Carry UDP in DATAGRAM capsules even when the relay offers QUIC datagrams.")
    boolean capsules;

    @Option(names = "--match-domain", paramLabel = "DOMAIN", description = "Relay only this domain and its subdomains (repeatable; none = everything).")
    List<String> matchDomains = new ArrayList<>();

    @Option(names = "--exclude-domain", paramLabel = "DOMAIN", description = "Never relay this domain or its subdomains (wins over matches).")
    List<String> excludedDomains = new ArrayList<>();

    @Option(names = "--match-fqdn", paramLabel = "NAME", description = "Relay this exact name.")
    List<String> matchFqdns = new ArrayList<>();

    @Option(names = "--exclude-fqdn", paramLabel = "NAME", description = "Never relay this exact name.")
    List<String> excludedFqdns = new ArrayList<>();

    @Option(names = "--engine", paramLabel = "ENGINE",
            description = "QUIC engine: auto (default: quiche where its native library loads, kwik for chained relays and elsewhere), kwik (pure Java) or quiche (Netty + native quiche; faster).")
    String engine = ClientEngines.DEFAULT;

    @Option(names = "--proxy-http3", description = "Talk to the relay over HTTP/3 (QUIC, UDP): the default.")
    boolean proxyHttp3;

    @Option(names = "--proxy-http2", description = "Talk to the relay over HTTP/2 on TLS over TCP (as curl; for networks that block UDP):"
            + " classic CONNECT, and connect-udp by extended CONNECT with DATAGRAM capsules. A relay that only speaks"
            + " HTTP/1.1 is used with HTTP/1.1.")
    boolean proxyHttp2;

    @Option(names = "--proxy-http1.1", description = "Talk to the relay over HTTP/1.1 on TLS over TCP (as curl): CONNECT host:port,"
            + " and Upgrade: connect-udp; one TCP connection per tunnel.")
    boolean proxyHttp11;

    @Option(names = "--proxy-transport", paramLabel = "h3|h2|http/1.1|auto",
            description = "The same choice by name; auto does what Apple's client does: HTTP/3 first, HTTP/2 after a "
                    + RelayTransport.HEAD_START_MILLIS + " ms head start, the first to connect wins (-v says which and why).")
    String proxyTransport;

    @Option(names = "--keylog", paramLabel = "FILE", description = "Write TLS secrets (SSLKEYLOGFILE format) for packet captures.")
    Path keyLog;

    ProxyEnvironment environment = ProxyEnvironment.system();
    private HostOverrides overrides;

    /** --resolve and --connect-to, parsed once. */
    HostOverrides overrides() {
        if (overrides == null) {
            overrides = HostOverrides.parse(resolve, connectTo);
        }
        return overrides;
    }

    /**
     * The relays for a URL of this scheme: -x, or the environment's.
     *
     * @throws IllegalArgumentException when there is none
     */
    List<String> relaysFor(String scheme) {
        if (!relays.isEmpty()) {
            return relays;
        }
        return environment.relayFor(scheme).map(r -> {
            if (!r.url().toLowerCase(Locale.ROOT).startsWith("https://")) {
                throw new IllegalArgumentException(r.variable() + " is '" + r.url() + "', not a relay: a MASQUE relay"
                        + " is an https:// URL (give one with -x)");
            }
            return List.of(r.url());
        }).orElseThrow(() -> new IllegalArgumentException(scheme.equals("http")
                ? "no relay for http:// URLs: give one with -x https://relay.example.com:443/, or set http_proxy or"
                        + " ALL_PROXY (HTTPS_PROXY is for https:// URLs, as in curl)"
                : "no relay: give one with -x https://relay.example.com:443/, or set HTTPS_PROXY or ALL_PROXY"));
    }

    /** Says on stderr what --proxy-insecure gives up (Kwik's own warning went to stdout, before the body). */
    void warnIfInsecure(PrintStream err) {
        if (proxyInsecure) {
            err.println("relay-client: warning: --proxy-insecure: the relay's certificate is not checked; anyone on the"
                    + " path can pose as the relay");
        }
    }

    /**
     * The transport the options ask for (HTTP/3 when none).
     *
     * @throws IllegalArgumentException when more than one is given, or an unknown name
     */
    RelayTransport transport() {
        List<RelayTransport> asked = new ArrayList<>();
        if (proxyHttp3) {
            asked.add(RelayTransport.H3);
        }
        if (proxyHttp2) {
            asked.add(RelayTransport.H2);
        }
        if (proxyHttp11) {
            asked.add(RelayTransport.HTTP1_1);
        }
        if (proxyTransport != null) {
            try {
                asked.add(RelayTransport.parse(proxyTransport));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--proxy-transport " + e.getMessage());
            }
        }
        if (asked.size() > 1) {
            throw new IllegalArgumentException("give one of --proxy-http3, --proxy-http2, --proxy-http1.1 and --proxy-transport");
        }
        return asked.isEmpty() ? RelayTransport.H3 : asked.get(0);
    }

    RelayClient build(Duration requestTimeout, List<String> relayUrls) {
        RelayClient.Builder b = RelayClient.builder()
                .transport(transport())
                .engine(ClientEngines.named("--engine", engine))
                .connectTimeout(seconds(connectTimeout))
                .requestTimeout(requestTimeout)
                .insecure(proxyInsecure)
                .udpMode(capsules ? UdpMode.CAPSULES : UdpMode.AUTO)
                .routePolicy(RoutePolicy.of(matchDomains, excludedDomains, matchFqdns, excludedFqdns)
                        .exceptFor(environment.noProxy(noProxy)))
                .keyLogFile(keyLog);
        for (String url : relayUrls) {
            try {
                b.relay(overrides().relay(url));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("--connect-to for " + url + ": cannot resolve " + e.getMessage(), e);
            }
        }
        if (proxyCaCert != null) {
            b.trustCaFile(proxyCaCert);
        }
        for (String h : proxyHeaders) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--proxy-header '" + h + "' is not 'Name: value'");
            }
            b.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        if (proxyCert != null) {
            String name = proxyCert.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".p12") || name.endsWith(".pfx")) {
                b.clientIdentity(TrustMaterial.pkcs12(proxyCert, proxyPass.toCharArray()), proxyPass.toCharArray());
            } else {
                if (proxyKey == null) {
                    throw new IllegalArgumentException("--proxy-cert " + proxyCert + " is PEM: give its key with --proxy-key");
                }
                char[] pw = "client".toCharArray();
                b.clientIdentity(TrustMaterial.pem(proxyCert, proxyKey, pw), pw);
            }
        }
        return b.build();
    }

    static Duration seconds(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }
}
