package org.masquerelay.server;

import org.masquerelay.server.config.ClientCaConfig;
import org.masquerelay.server.config.ConfigException;
import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.server.config.ConnectUdpConfig;
import org.masquerelay.server.config.ListenAddress;
import org.masquerelay.server.config.RelayConfig;
import org.masquerelay.server.config.TlsConfig;
import org.masquerelay.wire.ConnectUdpTemplate;

import java.security.KeyStore;
import java.util.List;

/** Turns a checked configuration into running settings: loads the TLS identity, parses the template. */
public final class SettingsFactory {
    private static final String ALIAS = "relay";
    private static final char[] PASSWORD = "relay".toCharArray();

    private SettingsFactory() {}

    public static RelaySettings from(RelayConfig config) {
        if (config.clientCa().isPresent() && config.engine().resolve() == QuicEngine.KWIK) {
            throw new ConfigException(ClientCaConfig.KEY, "mutual TLS needs the quiche engine ('engine: quiche' or"
                    + " --engine quiche, or auto where its native library loads): the kwik engine cannot ask clients"
                    + " for certificates; remove tls.client-ca to run on kwik");
        }
        if (config.serverId().isPresent() && config.engine().resolve() == QuicEngine.KWIK) {
            throw new ConfigException("fleet.server-id", "routable connection IDs need the quiche engine ('engine:"
                    + " quiche' or --engine quiche, or auto where its native library loads): Kwik chooses its"
                    + " connection IDs itself; remove fleet.server-id to run on kwik");
        }
        TlsConfig tls = config.tls().orElseThrow(() -> new ConfigException("tls",
                "a certificate is needed: tls.certificate + tls.private-key (PEM) or tls.pkcs12; "
                        + "'relay-server certs' makes one, and 'relay-server dev' runs without any"));
        KeyStore identity = tls.loadKeyStore(ALIAS, PASSWORD);
        List<ConnectUdpTemplate> templates = config.connectUdp().template() == null
                || config.connectUdp().template().equals(ConnectUdpConfig.DEFAULT_TEMPLATE)
                ? List.of()
                : List.of(ConnectUdpTemplate.parse(config.connectUdp().template()));
        return RelaySettings.builder()
                .listen(Listeners.collapseWildcards(config.listen().stream().map(ListenAddress::socketAddress).toList()))
                .tcpListen(Listeners.collapseWildcards(config.tcpListenAddresses().stream().map(ListenAddress::socketAddress).toList()))
                .serverName(config.serverName())
                .policy(config.policy())
                .udpTemplates(templates)
                .auth(config.auth().orElse(null))
                .tunnelsPerConnection(config.limits().tunnelsPerConnection())
                .engine(config.engine())
                .clientLimits(config.limits().clients())
                .engineSettings(e -> e.identity(identity, ALIAS, PASSWORD)
                        .maxFieldSectionSize(config.limits().maxHeaderSize())
                        .maxDataFrameSize(config.limits().maxDataFrame())
                        .idleTimeout(config.timeouts().quicIdle())
                        .streamWindow(config.limits().streamWindow())
                        .maxConnections(config.limits().maxConnections())
                        .clientCaCertificates(config.clientCa().map(ClientCaConfig::certificates).orElse(List.of()))
                        .eventLoops(config.limits().eventLoops())
                        .pendingDatagrams(config.limits().pendingDatagrams())
                        .routableIds(config.serverId().orElse(null)))
                .tunnel(t -> t.connectTimeout(config.timeouts().connect())
                        .attemptDelay(config.timeouts().happyEyeballsDelay())
                        .idleTimeout(config.timeouts().idle()))
                .build();
    }
}
