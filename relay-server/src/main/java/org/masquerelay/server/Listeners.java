package org.masquerelay.server;

import org.masquerelay.display.Addresses;
import org.masquerelay.engine.ServerEngine;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static java.lang.System.Logger.Level.INFO;

/** Turns configured listen addresses into sockets the JDK can bind. */
final class Listeners {
    private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

    private Listeners() {}

    /** Starting an engine on one address. */
    interface Start {
        ServerEngine start() throws IOException;
    }

    /**
     * Starts a listener; a port in use is reported with the address (the JDK's BindException says only "Address
     * already in use", and an operator with several listeners needs to know which one).
     */
    static ServerEngine bind(InetSocketAddress address, Start start) throws IOException {
        return bind(address, "UDP", start);
    }

    /** @param transport "UDP" or "TCP", as the message names it */
    static ServerEngine bind(InetSocketAddress address, String transport, Start start) throws IOException {
        try {
            return start.start();
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException bind) {
                    String why = bind.getMessage() == null ? "cannot bind" : bind.getMessage().toLowerCase(java.util.Locale.ROOT);
                    BindException named = new BindException(transport + " " + Addresses.format(address) + ": " + why);
                    named.initCause(e);
                    throw named;
                }
            }
            throw e;
        }
    }

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
                    LOG.log(INFO, "listening on [::]:{0} for IPv4 and IPv6 (one dual-stack socket)", Integer.toString(a.getPort()));
                }
            }
        }
        return result;
    }
}
