package org.masquerelay.server;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static java.lang.System.Logger.Level.INFO;

/** Turns configured listen addresses into sockets the JDK can bind. */
final class Listeners {
    private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

    private Listeners() {}

    /**
     * "0.0.0.0:P" together with "[::]:P" is how operators say "IPv4 and IPv6". On Linux the second bind fails unless
     * the IPv6 socket is IPV6_V6ONLY, which the JDK cannot set on a UDP socket; a single "[::]:P" socket is
     * dual-stack and receives both, so the pair becomes that one socket.
     */
    static List<InetSocketAddress> collapseWildcards(List<InetSocketAddress> listen) {
        List<InetSocketAddress> result = new ArrayList<>(listen);
        for (InetSocketAddress a : listen) {
            if (a.getAddress() instanceof Inet6Address && a.getAddress().isAnyLocalAddress()) {
                boolean removed = result.removeIf(b -> !(b.getAddress() instanceof Inet6Address)
                        && b.getAddress().isAnyLocalAddress() && b.getPort() == a.getPort());
                if (removed) {
                    LOG.log(INFO, "listening on [::]:{0} for IPv4 and IPv6 (one dual-stack socket)", a.getPort());
                }
            }
        }
        return result;
    }
}
