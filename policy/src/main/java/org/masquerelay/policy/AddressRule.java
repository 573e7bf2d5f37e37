package org.masquerelay.policy;

import java.util.Locale;
import java.util.Objects;

/**
 * One operator rule of the address policy: allow or deny a network on some ports.
 *
 * @param action what to do with a matching destination
 * @param cidr   the destination network
 * @param ports  the destination ports; {@link PortRange#ANY} for every port
 */
public record AddressRule(Action action, Cidr cidr, PortRange ports) {

    public enum Action { ALLOW, DENY }

    public AddressRule {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(cidr, "cidr");
        Objects.requireNonNull(ports, "ports");
    }

    public static AddressRule allow(String cidr) {
        return new AddressRule(Action.ALLOW, Cidr.parse(cidr), PortRange.ANY);
    }

    public static AddressRule deny(String cidr) {
        return new AddressRule(Action.DENY, Cidr.parse(cidr), PortRange.ANY);
    }

    /** True if the (already normalised) address and port fall under this rule. */
    boolean matches(byte[] address, int port) {
        return cidr.contains(address) && ports.contains(port);
    }

    /** Reads like the config file: {@code allow 203.0.113.0/24 ports 443}. */
    @Override
    public String toString() {
        return action.name().toLowerCase(Locale.ROOT) + " " + cidr + " ports " + ports;
    }
}
