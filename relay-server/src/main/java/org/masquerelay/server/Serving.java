package org.masquerelay.server;

import org.masquerelay.server.tunnel.TargetResolver;
import org.masquerelay.wire.ConnectRequestParser;

/**
 * What the relay serves requests with right now, built from one {@link RelaySettings}: the settings themselves
 * (credentials, limits, timeouts, our name), the request parser (connect-udp templates) and the two tunnel handlers
 * (policy, timeouts). A reload builds a new one and swaps it in whole: each request reads the current one once, at
 * its start, so a tunnel keeps the configuration it was opened with and a new one gets the new configuration.
 */
record Serving(RelaySettings settings, ConnectRequestParser parser, TcpConnectHandler tcp, UdpConnectHandler udp) {

    static Serving of(RelaySettings settings) {
        TargetResolver resolver = new TargetResolver(settings.policy());
        return new Serving(settings, new ConnectRequestParser(settings.udpTemplates()),
                new TcpConnectHandler(resolver, settings.tunnel()),
                new UdpConnectHandler(resolver, settings.tunnel()));
    }
}
