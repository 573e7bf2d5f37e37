package org.masquerelay.wire;

import java.util.HexFormat;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Routable QUIC connection IDs in QUIC-LB's plaintext format (draft-ietf-quic-load-balancers-21 §3 and §5, keyless
 * configuration), so that a stateless load balancer (Katran, Envoy's {@code quic_lb}, kernel rules) can send every
 * short-header packet to the relay that owns the connection, even after the client's address changed:
 *
 * <pre>
 * First Octet {
 *   Config Rotation (3),        always 0: one configuration; 0b111 would mean "route by 5-tuple"
 *   CID Len or Random Bits (5), the length of the rest of the connection ID (length self-description, §3.3)
 * }
 * Server ID (8 or 16),          this relay's ID, read by the load balancer from the second octet on
 * Loop Index (16),              which of the relay's event loops owns the connection (see below)
 * Nonce (32..),                 random
 * </pre>
 *
 * The loop index is the first two octets of what the draft calls the nonce (load balancers ignore the nonce): it lets
 * the relay's own SO_REUSEPORT dispatcher find the event loop inside the host, as §7.2 suggests servers do, and
 * leaves at least 14 random octets in a 20-octet ID. No I/O; the random source is passed in.
 */
public final class QuicLbConnectionId {
    /** Octets of every ID we issue: QUIC v1's maximum, which leaves the most randomness. */
    public static final int LENGTH = 20;
    private static final int LOOP_INDEX_LENGTH = 2;
    private static final int MIN_NONCE = 4;

    private final byte[] serverId;

    private QuicLbConnectionId(byte[] serverId) {
        this.serverId = serverId;
    }

    /**
     * A server ID from configuration text: hex with a {@code 0x} prefix ({@code 0x0a01}) or a decimal integer
     * ({@code 2561}), in {@code length} octets (1 or 2), big-endian.
     *
     * @throws IllegalArgumentException saying what is wrong, for the caller to name its key
     */
    public static QuicLbConnectionId parse(String text, int length) {
        if (length < 1 || length > 2) {
            throw new IllegalArgumentException("a server ID is 1 or 2 octets, not " + length);
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        long value;
        try {
            value = t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a server ID (a decimal integer, or hex like 0x0a01)");
        }
        long max = (1L << (8 * length)) - 1;
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("'" + text + "' does not fit in " + length + " octet" + (length == 1 ? "" : "s")
                    + " (0 to " + max + ")");
        }
        byte[] id = new byte[length];
        for (int i = 0; i < length; i++) {
            id[i] = (byte) (value >>> (8 * (length - 1 - i)));
        }
        return new QuicLbConnectionId(id);
    }

    /** The server ID's octets. */
    public byte[] serverId() {
        return serverId.clone();
    }

    /** A new connection ID of {@link #LENGTH} octets for the event loop {@code loopIndex} (0..65535). */
    public byte[] newId(int loopIndex, RandomGenerator random) {
        if (loopIndex < 0 || loopIndex > 0xFFFF) {
            throw new IllegalArgumentException("loop index " + loopIndex + " is not in 0..65535");
        }
        byte[] id = new byte[LENGTH];
        random.nextBytes(id);
        id[0] = (byte) (LENGTH - 1); // config rotation 0b000 in the high bits; 19 fits in the low five
        System.arraycopy(serverId, 0, id, 1, serverId.length);
        int at = 1 + serverId.length;
        id[at] = (byte) (loopIndex >>> 8);
        id[at + 1] = (byte) loopIndex;
        assert LENGTH - at - LOOP_INDEX_LENGTH >= MIN_NONCE;
        return id;
    }

    /** Whether {@code cid} carries this server's ID where a QUIC-LB plaintext load balancer reads it. */
    public boolean isOurs(byte[] cid) {
        if (cid.length < 1 + serverId.length || (cid[0] & 0xE0) != 0) {
            return false;
        }
        for (int i = 0; i < serverId.length; i++) {
            if (cid[1 + i] != serverId[i]) {
                return false;
            }
        }
        return true;
    }

    /** The event-loop index {@link #newId} put into {@code cid}, or -1 when it is too short to hold one. */
    public int loopIndex(byte[] cid, int offset, int length) {
        int at = offset + 1 + serverId.length;
        if (length < 1 + serverId.length + LOOP_INDEX_LENGTH) {
            return -1;
        }
        return ((cid[at] & 0xFF) << 8) | (cid[at + 1] & 0xFF);
    }

    /** Where in an ID {@link #newId} puts the two octets of the loop index (after the first octet and server ID). */
    public int loopIndexOffset() {
        return 1 + serverId.length;
    }

    /** The server ID as configuration would write it, e.g. {@code 0x0a01}. */
    @Override
    public String toString() {
        return "0x" + HexFormat.of().formatHex(serverId);
    }
}
