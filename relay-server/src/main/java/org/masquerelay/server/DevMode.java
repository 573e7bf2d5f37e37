package org.masquerelay.server;

import org.masquerelay.policy.AddressPolicy;
import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.policy.RelayPolicy;
import org.masquerelay.server.certs.CertificateTool;
import org.masquerelay.server.certs.Identities;
import org.masquerelay.server.tunnel.TunnelSettings;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;

/**
 * The embedded default a newcomer starts with: a dev CA and a certificate for localhost, 127.0.0.1 and ::1 in a
 * local state folder (the CA is made once and reused, so a device or client that trusts it keeps trusting it),
 * listening on loopback only, and a policy that allows loopback targets only — nothing else can be reached.
 */
public final class DevMode {
    public static final Path DEFAULT_STATE_DIR = Path.of(".relay-dev");
    public static final int DEFAULT_PORT = 4433;
    static final String ALIAS = "relay";
    static final char[] PASSWORD = "dev".toCharArray();

    private DevMode() {}

    /** What dev mode made, for the start-up banner. */
    public record Dev(RelaySettings settings, Path caCertificate) {}

    public static Dev prepare(Path stateDir, List<InetSocketAddress> listen) {
        CertificateTool.Result certs = CertificateTool.create(stateDir, List.of("localhost", "127.0.0.1", "::1"), false);
        KeyStore identity = Identities.fromPem(certs.serverCertificate(), certs.serverKey(), ALIAS, PASSWORD);
        RelayPolicy policy = new RelayPolicy(DomainPolicy.matchAll(), AddressPolicy.loopbackOnly());
        RelaySettings settings = new RelaySettings(listen, identity, ALIAS, PASSWORD, "relay-dev", policy, List.of(), null,
                TunnelSettings.defaults(), 256, 16 * 1024, 16L * 1024 * 1024, Duration.ofSeconds(30), 1024 * 1024, 1000);
        return new Dev(settings, certs.caCertificate());
    }

    /** Loopback listeners on the given port, IPv4 and IPv6. */
    public static List<InetSocketAddress> loopback(int port) {
        return List.of(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress("::1", port));
    }
}
