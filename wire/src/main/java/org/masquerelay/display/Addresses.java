package org.masquerelay.display;

import org.masquerelay.wire.IpLiteral;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Addresses as people write them: {@code 127.0.0.1:42019} and {@code [::1]:4433}, not the JDK's
 * {@code /127.0.0.1:42019} and {@code /[0:0:0:0:0:0:0:1]:4433}. For logs, banners and messages.
 */
public final class Addresses {
    private Addresses() {}

    /** "host:port" with IPv6 in brackets and compressed (RFC 5952); an unresolved address keeps its name. */
    public static String format(InetSocketAddress address) {
        if (address == null) {
            return "-";
        }
        String host = address.getAddress() == null ? address.getHostString() : format(address.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Any socket address; those that are not IP addresses (e.g. Unix sockets) print as the JDK prints them. */
    public static String format(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? format(inet) : String.valueOf(address);
    }

    /** "127.0.0.1" or "::1" (no brackets, no host name, no scope). */
    public static String format(InetAddress address) {
        return IpLiteral.format(address.getAddress());
    }
}
