package org.masquerelay.client.cli;

import org.masquerelay.client.RelayEndpoint;
import org.masquerelay.wire.IpLiteral;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * curl's {@code --resolve HOST:PORT:ADDR[,ADDR...]} and {@code --connect-to HOST1:PORT1:HOST2:PORT2}: connect
 * somewhere else while the name (TLS server name, certificate check, Host header) stays the one in the URL. Both
 * apply to the relay and to targets reached directly; {@code --connect-to} also to the CONNECT of a relayed target.
 */
final class HostOverrides {
    /** A {@code --resolve} entry. */
    record Resolve(String host, int port, List<InetAddress> addresses) {}

    /** A {@code --connect-to} entry; an empty host or port 0 means "any" (from) or "the same" (to). */
    record ConnectTo(String fromHost, int fromPort, String toHost, int toPort) {
        boolean matches(String host, int port) {
            return (fromHost.isEmpty() || fromHost.equalsIgnoreCase(host)) && (fromPort == 0 || fromPort == port);
        }
    }

    /** Where a connection for host:port really goes. */
    record Destination(String host, int port) {}

    private final List<Resolve> resolves;
    private final List<ConnectTo> connectTos;

    private HostOverrides(List<Resolve> resolves, List<ConnectTo> connectTos) {
        this.resolves = resolves;
        this.connectTos = connectTos;
    }

    /** @throws IllegalArgumentException naming the option and entry that cannot be read */
    static HostOverrides parse(Collection<String> resolve, Collection<String> connectTo) {
        List<Resolve> r = new ArrayList<>();
        for (String entry : resolve) {
            List<String> parts = split(entry, "--resolve", 3);
            int port = port(parts.get(1), "--resolve", entry, false);
            List<InetAddress> addresses = new ArrayList<>();
            for (String a : parts.get(2).split(",")) {
                String literal = unbracket(a.trim());
                byte[] bytes = IpLiteral.parse(literal);
                if (bytes == null) {
                    throw new IllegalArgumentException("--resolve '" + entry + "': '" + a + "' is not an IP address"
                            + " (the form is HOST:PORT:ADDRESS, e.g. relay.example.com:443:127.0.0.1)");
                }
                addresses.add(IpLiteral.toInetAddress(bytes));
            }
            r.add(new Resolve(unbracket(parts.get(0)), port, List.copyOf(addresses)));
        }
        List<ConnectTo> c = new ArrayList<>();
        for (String entry : connectTo) {
            List<String> parts = split(entry, "--connect-to", 4);
            c.add(new ConnectTo(unbracket(parts.get(0)), port(parts.get(1), "--connect-to", entry, true),
                    unbracket(parts.get(2)), port(parts.get(3), "--connect-to", entry, true)));
        }
        return new HostOverrides(List.copyOf(r), List.copyOf(c));
    }

    boolean isEmpty() {
        return resolves.isEmpty() && connectTos.isEmpty();
    }

    /** Where a connection to host:port goes after --connect-to (the first matching entry), else host:port. */
    Destination destination(String host, int port) {
        for (ConnectTo c : connectTos) {
            if (c.matches(host, port)) {
                return new Destination(c.toHost().isEmpty() ? host : c.toHost(), c.toPort() == 0 ? port : c.toPort());
            }
        }
        return new Destination(host, port);
    }

    /**
     * The relay URL to connect with: its port changed by --connect-to, and (installed now in the resolver) its name
     * pointed at the --connect-to host or --resolve addresses. The name in the URL stays: it is the TLS server name.
     */
    String relay(String url) throws UnknownHostException {
        RelayEndpoint e = RelayEndpoint.parse(url);
        Destination d = direct(e.host(), e.port());
        if (d.port() == e.port()) {
            return url;
        }
        String host = e.host().indexOf(':') >= 0 ? "[" + e.host() + "]" : e.host();
        int start = "https://".length();
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return url.substring(0, start) + host + ":" + d.port() + url.substring(end);
    }

    /**
     * For a connection we make ourselves to host:port (the relay, a target reached directly): points the name at
     * the --connect-to host or the --resolve addresses, in the resolver, and returns the port to connect to. The
     * name itself is what the connection goes on using (TLS server name, certificate check).
     */
    Destination direct(String host, int port) throws UnknownHostException {
        Destination d = destination(host, port);
        if (!d.host().equalsIgnoreCase(host)) {
            ResolveOverrides.put(host, addressesOf(d.host(), d.port()));
        } else {
            resolve(host, d.port());
        }
        return new Destination(host, d.port());
    }

    /** Installs the --resolve entry for host:port, if there is one (curl's entries name the port they apply to). */
    private void resolve(String host, int port) throws UnknownHostException {
        for (Resolve r : resolves) {
            if (r.host().equalsIgnoreCase(host) && r.port() == port) {
                ResolveOverrides.put(host, r.addresses());
                return;
            }
        }
    }

    private List<InetAddress> addressesOf(String host, int port) throws UnknownHostException {
        for (Resolve r : resolves) {
            if (r.host().equalsIgnoreCase(host) && r.port() == port) {
                return r.addresses();
            }
        }
        return List.of(InetAddress.getAllByName(host));
    }

    /** "a:b:[::1]:c" into parts, keeping bracketed IPv6 literals whole. */
    private static List<String> split(String entry, String option, int count) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean bracket = false;
        for (char ch : entry.toCharArray()) {
            if (ch == '[') {
                bracket = true;
            } else if (ch == ']') {
                bracket = false;
            }
            if (ch == ':' && !bracket && parts.size() < count - 1) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(ch);
            }
        }
        parts.add(part.toString());
        if (parts.size() != count) {
            throw new IllegalArgumentException(option + " '" + entry + "' is not " + (count == 3
                    ? "HOST:PORT:ADDRESS (e.g. relay.example.com:443:127.0.0.1)"
                    : "HOST1:PORT1:HOST2:PORT2 (e.g. relay.example.com:443:127.0.0.1:4433)"));
        }
        return parts;
    }

    private static int port(String text, String option, String entry, boolean emptyAllowed) {
        if (text.isEmpty() && emptyAllowed) {
            return 0;
        }
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " '" + entry + "': '" + text + "' is not a port");
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
