package org.masquerelay.client.cli;

import org.masquerelay.client.ClientEngines;
import org.masquerelay.client.RelayClient;
import org.masquerelay.client.RoutePolicy;
import org.masquerelay.client.TrustMaterial;
import org.masquerelay.client.UdpMode;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Options shared by fetch and proxy: which relays, how to trust them, what to send them, what to route. */
final class RelayOptions {
    @Option(names = {"-x", "--proxy"}, required = true, paramLabel = "URL",
            description = "Relay: https://host:port/ or an RFC 9298 URI template (https://host:port/p/{target_host}/{target_port}/)."
                    + " Repeat to chain relays: each is reached through the one before.")
    List<String> relays = new ArrayList<>();

    @Option(names = "--proxy-cacert", paramLabel = "FILE", description = "Trust the CA certificate(s) in this PEM file for the relay (default: system roots).")
    Path proxyCaCert;

    @Option(names = "--proxy-insecure", description = "Do not verify the relay's certificate (testing only).")
    boolean proxyInsecure;

    @Option(names = "--proxy-header", paramLabel = "'Name: value'",
            description = "Header added to every CONNECT (Apple's additionalHTTPHeaderFields), e.g. 'Proxy-Authorization: Preshared k'.")
    List<String> proxyHeaders = new ArrayList<>();

    @Option(names = "--proxy-cert", paramLabel = "FILE", description = "Client certificate for mutual TLS: PKCS#12 (.p12/.pfx) or PEM (with --proxy-key).")
    Path proxyCert;

    @Option(names = "--proxy-key", paramLabel = "FILE", description = "PKCS#8 PEM private key for --proxy-cert.")
    Path proxyKey;

    @Option(names = "--proxy-pass", paramLabel = "PASSWORD", description = "Password of the PKCS#12 client certificate.")
    String proxyPass = "";

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", description = "Bound on the QUIC handshake with each relay (default ${DEFAULT-VALUE}).")
    double connectTimeout = 10;

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

    @Option(names = "--keylog", paramLabel = "FILE", description = "Write TLS secrets (SSLKEYLOGFILE format) for packet captures.")
    Path keyLog;

    RelayClient build(Duration requestTimeout) {
        RelayClient.Builder b = RelayClient.builder()
                .engine(ClientEngines.named("--engine", engine))
                .connectTimeout(seconds(connectTimeout))
                .requestTimeout(requestTimeout)
                .insecure(proxyInsecure)
                .udpMode(capsules ? UdpMode.CAPSULES : UdpMode.AUTO)
                .routePolicy(RoutePolicy.of(matchDomains, excludedDomains, matchFqdns, excludedFqdns))
                .keyLogFile(keyLog);
        relays.forEach(b::relay);
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
