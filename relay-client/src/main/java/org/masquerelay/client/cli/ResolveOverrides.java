package org.masquerelay.client.cli;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Names this process resolves to given addresses ({@code --resolve}, {@code --connect-to}), so that a relay whose
 * certificate says relay.example.com can be tried on 127.0.0.1: the QUIC engines resolve the relay's name
 * themselves and keep it as the TLS server name, so the override has to sit under them, in the JDK's resolver.
 * Installed as the JDK's resolver provider (META-INF/services); with no overrides it is the built-in resolver.
 */
public final class ResolveOverrides extends InetAddressResolverProvider {
    private static final Map<String, List<InetAddress>> OVERRIDES = new ConcurrentHashMap<>();

    /** From now on, {@code host} resolves to these addresses (which keep {@code host} as their name). */
    static void put(String host, List<InetAddress> addresses) throws UnknownHostException {
        List<InetAddress> named = new java.util.ArrayList<>();
        for (InetAddress a : addresses) {
            named.add(InetAddress.getByAddress(host, a.getAddress()));
        }
        OVERRIDES.put(key(host), List.copyOf(named));
    }

    static void clear() {
        OVERRIDES.clear();
    }

    private static String key(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                List<InetAddress> given = OVERRIDES.get(key(host));
                if (given == null) {
                    return builtin.lookupByName(host, policy);
                }
                boolean v4 = (policy.characteristics() & LookupPolicy.IPV4) != 0;
                boolean v6 = (policy.characteristics() & LookupPolicy.IPV6) != 0;
                List<InetAddress> allowed = given.stream()
                        .filter(a -> (a instanceof Inet4Address && v4) || (a instanceof Inet6Address && v6)).toList();
                if (allowed.isEmpty()) {
                    throw new UnknownHostException(host + " (overridden to " + given + ", none of the wanted family)");
                }
                return allowed.stream();
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "relay-client --resolve/--connect-to";
    }
}
