package org.masquerelay.policy;

import java.util.Arrays;

/**
 * Finds the IPv4 address hidden inside IPv6 transition forms. Without this, {@code 64:ff9b::7f00:1} (NAT64) or
 * {@code 2002:7f00:1::} (6to4) would reach 127.0.0.1 past a policy that only looks at IPv6 ranges.
 */
final class EmbeddedIpv4 {

    /** An IPv4 address found inside an IPv6 one, and the name of the form it was found in. */
    record Found(byte[] ipv4, String form) {
    }

    private static final Cidr MAPPED = Cidr.parse("::ffff:0:0/96");
    private static final Cidr TRANSLATED = Cidr.parse("::ffff:0:0:0/96");
    private static final Cidr COMPATIBLE = Cidr.parse("::/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");
    private static final Cidr TEREDO = Cidr.parse("2001::/32");

    private EmbeddedIpv4() {
    }

    /** The IPv4 address of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), else null. */
    static byte[] mapped(byte[] address) {
        return address.length == 16 && MAPPED.contains(address) ? Arrays.copyOfRange(address, 12, 16) : null;
    }

    /** The IPv4 address carried by a NAT64, 6to4, Teredo, SIIT or IPv4-compatible address, else null. */
    static Found find(byte[] address) {
        if (address.length != 16) {
            return null;
        }
        if (NAT64.contains(address)) {
            return new Found(Arrays.copyOfRange(address, 12, 16), "NAT64");
        }
        if (SIX_TO_FOUR.contains(address)) {
            return new Found(Arrays.copyOfRange(address, 2, 6), "6to4");
        }
        if (TEREDO.contains(address)) {
            // RFC 4380: the client's public IPv4 address is stored inverted in the last 32 bits; it is the one reached.
            byte[] client = Arrays.copyOfRange(address, 12, 16);
            for (int i = 0; i < 4; i++) {
                client[i] = (byte) ~client[i];
            }
            return new Found(client, "Teredo");
        }
        if (TRANSLATED.contains(address)) {
            return new Found(Arrays.copyOfRange(address, 12, 16), "IPv4-translated");
        }
        // :: and ::1 are IPv6 addresses of their own, not IPv4-compatible forms of 0.0.0.0 and 0.0.0.1.
        if (COMPATIBLE.contains(address) && SpecialRanges.find(address) == null) {
            return new Found(Arrays.copyOfRange(address, 12, 16), "IPv4-compatible");
        }
        return null;
    }
}
