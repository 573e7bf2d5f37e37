package org.masquerelay.server;

import org.masquerelay.policy.AddressPolicy;
import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.policy.RelayPolicy;
import org.masquerelay.server.certs.CertificateTool;
import org.masquerelay.server.config.ClientLimits;
import org.masquerelay.server.certs.Identities;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
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
        RelaySettings settings = RelaySettings.builder()
                .listen(listen)
                .serverName("relay-dev")
                .policy(policy)
                .engineSettings(e -> e.identity(identity, ALIAS, PASSWORD).maxConnections(1000))
                // Every client of a dev relay is this machine (tests, the benchmark, interop runs): limits per
                // client address or connection would only throttle them. The rest of the limits stay.
                .clientLimits(ClientLimits.defaults().withPerAddress(0, 0).withNewTunnelsPerSecond(0)
                        .withRetryAboveHandshakes(0))
                .build();
        return new Dev(settings, certs.caCertificate());
    }

    /** Loopback listeners on the given port, IPv4 and IPv6. */
    public static List<InetSocketAddress> loopback(int port) {
        return List.of(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress("::1", port));
    }
}
