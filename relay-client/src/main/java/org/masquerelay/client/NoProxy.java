package org.masquerelay.client;

import org.masquerelay.policy.Cidr;
import org.masquerelay.wire.IpLiteral;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * curl's {@code NO_PROXY} list: hosts reached directly, never through the relay. Comma-separated entries: a name
 * covers itself and every name under it (a leading dot or "*." changes nothing), an IP address only itself, a CIDR
 * the addresses in it, and "*" alone every host. Ports in entries are ignored, as curl ignores them.
 */
public final class NoProxy {
    private static final NoProxy NONE = new NoProxy(List.of(), List.of(), false);

    private final List<String> names;
    private final List<Cidr> networks;
    private final boolean everything;

    private NoProxy(List<String> names, List<Cidr> networks, boolean everything) {
        this.names = names;
        this.networks = networks;
        this.everything = everything;
    }

    /** An empty list: no host is exempt. */
    public static NoProxy none() {
        return NONE;
    }

    /** @param list e.g. "localhost,.corp.example,10.0.0.0/8"; null or blank means none */
    public static NoProxy parse(String list) {
        if (list == null || list.isBlank()) {
            return NONE;
        }
        List<String> names = new ArrayList<>();
        List<Cidr> networks = new ArrayList<>();
        for (String raw : list.split(",")) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("*")) {
                return new NoProxy(List.of(), List.of(), true);
            }
            if (entry.startsWith("[") && entry.contains("]")) {
                entry = entry.substring(1, entry.indexOf(']'));
            } else if (entry.indexOf(':') == entry.lastIndexOf(':') && entry.indexOf(':') > 0) {
                entry = entry.substring(0, entry.indexOf(':')); // name:port or IPv4:port
            }
            if (entry.contains("/") || IpLiteral.isLiteral(entry)) {
                try {
                    networks.add(Cidr.parse(entry));
                    continue;
                } catch (IllegalArgumentException notACidr) {
                    // curl ignores what it cannot read; so do we
                    continue;
                }
            }
            while (entry.startsWith("*.") || entry.startsWith(".")) {
                entry = entry.substring(entry.indexOf('.') + 1);
            }
            if (entry.endsWith(".")) {
                entry = entry.substring(0, entry.length() - 1);
            }
            if (!entry.isEmpty()) {
                names.add(entry);
            }
        }
        return new NoProxy(List.copyOf(names), List.copyOf(networks), false);
    }

    /** The entry that sends this host direct, if any. */
    public Optional<String> match(String host) {
        if (everything) {
            return Optional.of("*");
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        byte[] address = IpLiteral.parse(h);
        if (address != null) {
            for (Cidr c : networks) {
                if (c.contains(address)) {
                    return Optional.of(c.toString());
                }
            }
            return Optional.empty();
        }
        for (String n : names) {
            if (h.equals(n) || h.endsWith("." + n)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    /** True when no host is exempt. */
    public boolean isEmpty() {
        return !everything && names.isEmpty() && networks.isEmpty();
    }
}
