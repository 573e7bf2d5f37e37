package org.masquerelay.server.cli;

import org.masquerelay.display.Addresses;
import org.masquerelay.policy.AddressRule;
import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.server.RelaySettings;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.config.ConnectUdpConfig;
import org.masquerelay.server.config.Limits;
import org.masquerelay.server.config.RelayConfig;
import org.masquerelay.server.config.Timeouts;
import org.masquerelay.server.config.TlsConfig;

import java.security.KeyStoreException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What {@code check-config} understood, as text an operator reads: one labelled line (or a few) per setting, the
 * certificate's names and expiry, never a credential.
 */
final class ConfigSummary {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final String INDENT = "                 ";

    private ConfigSummary() {}

    static List<String> lines(RelayConfig cfg, RelaySettings settings, Instant now) {
        List<String> out = new ArrayList<>();
        List<String> configured = cfg.listen().stream().map(l -> Addresses.format(l.socketAddress())).toList();
        List<String> bound = settings.listen().stream().map(Addresses::format).toList();
        out.add(row("listen", String.join(", ", configured) + " (UDP, HTTP/3)"
                + (bound.equals(configured) ? "" : "; bound as " + String.join(", ", bound) + " (one dual-stack socket"
                + " for IPv4 and IPv6)")));
        List<String> tcp = cfg.tcpListenAddresses().stream().map(l -> Addresses.format(l.socketAddress())).toList();
        out.add(row("tcp-listen", tcp.isEmpty() ? "off (HTTP/3 only)" : String.join(", ", tcp)
                + " (TCP, HTTP/2 and HTTP/1.1" + (cfg.tcpListen().isEmpty() ? ", as listen" : "") + ")"));
        out.add(row("server name", settings.serverName()));
        out.add(row("engine", settings.engine().configName()));
        out.addAll(certificate(cfg, settings, now));
        out.add(row("client certs", cfg.clientCa().map(ca -> "required, from " + ca.certificates().size()
                + " CA certificate(s) in " + ca.file()).orElse("not asked for")));
        out.add(row("auth", cfg.auth().map(ConfigSummary::auth).orElse("none: every client may open tunnels")));
        out.addAll(names(cfg.policy().domains()));
        out.addAll(addresses(cfg.policy().addresses().rules()));
        String template = cfg.connectUdp().template();
        out.add(row("connect-udp", ConnectUdpConfig.DEFAULT_TEMPLATE
                + (settings.udpTemplates().isEmpty() ? "" : " and " + template)));
        Timeouts t = cfg.timeouts();
        out.add(row("timeouts", "connect " + human(t.connect()) + ", happy eyeballs " + human(t.happyEyeballsDelay())
                + ", tunnel idle " + human(t.idle()) + ", QUIC idle " + human(t.quicIdle()) + ", drain " + human(t.drain())));
        Limits l = cfg.limits();
        out.add(row("limits", l.tunnelsPerConnection() + " tunnels per connection, " + l.maxConnections()
                + " connections, " + l.streamWindow() + " B stream window, " + l.pendingDatagrams()
                + " pending datagrams, " + l.maxHeaderSize() + " B headers, " + l.maxDataFrame() + " B DATA frames"));
        out.add(row("per client", clientLimits(l.clients())));
        out.add(row("log level", cfg.logLevel().configName() + ", " + cfg.logFormat().configName()));
        out.add(row("admin", cfg.admin().map(a -> "http://" + a + "/ (healthz, readyz, metrics)").orElse("off")));
        return out;
    }

    /** The policy as {@code check-config} shows it: names, then address rules (also what a reload compares). */
    static List<String> policy(org.masquerelay.policy.RelayPolicy policy) {
        List<String> out = new ArrayList<>(names(policy.domains()));
        out.addAll(addresses(policy.addresses().rules()));
        return out;
    }

    private static String clientLimits(org.masquerelay.server.config.ClientLimits c) {
        return "request header within " + human(c.requestHeaderTimeout()) + ", "
                + c.unfinishedRequestsPerConnection() + " unfinished requests per connection, "
                + derived(c.unfinishedRequests()) + " in all, " + derived(c.maxTunnels()) + " tunnels in all, "
                + c.newTunnelsPerSecond() + " new tunnels a second per connection, " + c.connectionsPerAddress()
                + " connections and " + c.newConnectionsPerSecond() + " new a second per client address";
    }

    private static String derived(int value) {
        return value == 0 ? "heap-derived" : Integer.toString(value);
    }

    private static String row(String label, String value) {
        return String.format("  %-14s %s", label + ":", value);
    }

    private static String auth(AuthConfig auth) {
        String credentials = auth.checksCredentials()
                ? "header '" + auth.header() + "' with one of " + auth.credentials().size() + " credential(s) (not shown)"
                : "no credentials";
        return credentials + (auth.clientCertificateRequired() ? ", and a client certificate" : "")
                + "; refused with " + auth.failureStatus();
    }

    private static List<String> certificate(RelayConfig cfg, RelaySettings settings, Instant now) {
        List<String> out = new ArrayList<>();
        String source = switch (cfg.tls().orElseThrow()) {
            case TlsConfig.PemFiles p -> p.certificate() + " (key " + p.privateKey() + ")";
            case TlsConfig.Pkcs12File p -> p.file().toString();
        };
        out.add(row("certificate", source));
        X509Certificate leaf;
        try {
            leaf = (X509Certificate) settings.engineSettings().keyStore().getCertificate(settings.engineSettings().keyAlias());
        } catch (KeyStoreException e) {
            return out;
        }
        if (leaf == null) {
            return out;
        }
        out.add(INDENT + "names: " + String.join(", ", names(leaf)));
        Instant until = leaf.getNotAfter().toInstant();
        long days = Duration.between(now, until).toDays();
        out.add(INDENT + (until.isBefore(now) ? "EXPIRED on " + DAY.format(until)
                : "valid until " + DAY.format(until) + " (" + days + " days from now)")
                + ", issued by " + leaf.getIssuerX500Principal().getName());
        return out;
    }

    /** subjectAltName DNS names and IP addresses (all Apple's client looks at); the subject if there are none. */
    private static List<String> names(X509Certificate leaf) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 2 || type == 7) {
                        names.add(String.valueOf(san.get(1)) + (type == 7 ? " (IP)" : ""));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            names.add("unreadable subjectAltName: " + e.getMessage());
        }
        if (names.isEmpty()) {
            names.add("none in subjectAltName (Apple's client will refuse it); subject " + leaf.getSubjectX500Principal().getName());
        }
        return names;
    }

    private static List<String> names(DomainPolicy d) {
        List<String> out = new ArrayList<>();
        if (d.matchDomains().isEmpty() && d.matchFQDNs().isEmpty()) {
            out.add(row("names", "every name" + (d.excludedDomains().isEmpty() && d.excludedFQDNs().isEmpty() ? "" : ", except:")));
        } else {
            out.add(row("names", "only these:"));
            d.matchDomains().forEach(n -> out.add(INDENT + "  " + n + " and its subdomains"));
            d.matchFQDNs().forEach(n -> out.add(INDENT + "  " + n + " (exactly)"));
            if (!d.excludedDomains().isEmpty() || !d.excludedFQDNs().isEmpty()) {
                out.add(INDENT + "except:");
            }
        }
        d.excludedDomains().forEach(n -> out.add(INDENT + "  " + n + " and its subdomains"));
        d.excludedFQDNs().forEach(n -> out.add(INDENT + "  " + n + " (exactly)"));
        return out;
    }

    private static List<String> addresses(List<AddressRule> rules) {
        List<String> out = new ArrayList<>();
        String defaults = "public addresses allowed; loopback, private, link-local (cloud metadata), CGNAT, multicast"
                + " and reserved ranges denied";
        if (rules.isEmpty()) {
            out.add(row("addresses", defaults));
            return out;
        }
        out.add(row("addresses", "first matching rule decides:"));
        for (int i = 0; i < rules.size(); i++) {
            AddressRule r = rules.get(i);
            out.add(INDENT + "  " + (i + 1) + ". " + r.action().name().toLowerCase() + " " + r.cidr()
                    + (r.ports().isAny() ? " (every port)" : " port " + r.ports()));
        }
        out.add(INDENT + "then: " + defaults);
        return out;
    }

    /** 10s, 250ms, 5m: the config file's own units. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
