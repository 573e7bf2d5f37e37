package org.masquerelay.policy;

import org.masquerelay.wire.IpLiteral;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a single host.
 *
 * <p>Membership is by family: an IPv4 network never contains an IPv6 address. {@link AddressPolicy} turns
 * IPv4-mapped IPv6 addresses into IPv4 before asking, so {@code ::ffff:10.0.0.1} is found in {@code 10.0.0.0/8}.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefixLength;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code address/prefix} or a bare address ({@code 10.1.2.3}, {@code ::1}, {@code [::1]}).
     *
     * @throws IllegalArgumentException with a message naming the input and what is wrong with it
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR (it is empty; expected e.g. 10.0.0.0/8)");
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        String addressPart = slash < 0 ? t : t.substring(0, slash);
        byte[] address = IpLiteral.parse(addressPart);
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR (" + addressPart
                    + " is not an IPv4 or IPv6 address; expected e.g. 10.0.0.0/8 or 2001:db8::/32)");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String prefixPart = t.substring(slash + 1);
            try {
                prefix = prefixPart.matches("\\d{1,3}") ? Integer.parseInt(prefixPart) : -1;
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR (prefix length must be 0.." + bits + ")");
            }
        }
        byte[] masked = mask(address, prefix);
        if (!Arrays.equals(masked, address)) {
            // Refused rather than silently masked: "10.1.2.3/8" usually means the operator meant a smaller network.
            throw new IllegalArgumentException("'" + text + "' is not a CIDR (host bits are set after the /" + prefix
                    + " prefix; did you mean " + IpLiteral.format(masked) + "/" + prefix + "?)");
        }
        return new Cidr(masked, prefix);
    }

    /** The network holding exactly this address. */
    public static Cidr host(InetAddress address) {
        byte[] bytes = address.getAddress();
        return new Cidr(bytes, bytes.length * 8);
    }

    /** True if the address (4 or 16 bytes) is in this network; families never mix. */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(address, prefixLength), network);
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    public boolean isIpv4() {
        return network.length == 4;
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** A copy of the network address bytes. */
    public byte[] network() {
        return network.clone();
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && other.prefixLength == prefixLength && Arrays.equals(other.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /** {@code 10.0.0.0/8}; a single host prints without its prefix ({@code ::1}). */
    @Override
    public String toString() {
        String a = IpLiteral.format(network);
        return prefixLength == network.length * 8 ? a : a + "/" + prefixLength;
    }
}
