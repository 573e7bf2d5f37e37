package org.masquerelay.interop.reliability;

import java.util.SplittableRandom;

/**
 * A reproducible byte stream (the same seed gives the same bytes) and a checker that compares what arrives with it
 * as it arrives, so a transfer of any length is verified byte for byte without being stored.
 */
final class Payload {
    private final SplittableRandom random;
    private long word;
    private int left;

    Payload(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The next {@code len} bytes of the stream into {@code b[off..]}. */
    void fill(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (left == 0) {
                word = random.nextLong();
                left = 8;
            }
            b[i] = (byte) word;
            word >>>= 8;
            left--;
        }
    }

    /** Checks received bytes against the stream; counts them while they match. */
    static final class Checker {
        private final Payload expected;
        private byte[] scratch = new byte[0];
        private long verified;
        private boolean corrupt;

        Checker(long seed) {
            this.expected = new Payload(seed);
        }

        /** @return false once a byte differs (that byte and everything after it are not counted) */
        boolean accept(byte[] b, int off, int len) {
            if (corrupt) {
                return false;
            }
            if (scratch.length < len) {
                scratch = new byte[len];
            }
            expected.fill(scratch, 0, len);
            for (int i = 0; i < len; i++) {
                if (scratch[i] != b[off + i]) {
                    verified += i;
                    corrupt = true;
                    return false;
                }
            }
            verified += len;
            return true;
        }

        long verified() {
            return verified;
        }

        boolean corrupt() {
            return corrupt;
        }
    }
}
