package org.masquerelay.interop.reliability;

import java.time.Duration;

/**
 * How one tunnel ended. COMPLETE: every byte arrived, identical. FAILED: it ended with an error the client could see,
 * within its deadline, and what did arrive was an intact prefix -- a clean outcome under a fault. The rest are
 * defects: TRUNCATED (a clean end of stream with bytes missing: a truncated transfer passing for a whole one),
 * CORRUPT (a byte differs), HUNG (nothing ended it within the deadline).
 */
record Outcome(String tunnel, Kind kind, long expected, long verified, Duration elapsed, String detail) {
    enum Kind { COMPLETE, FAILED, TRUNCATED, CORRUPT, HUNG }

    boolean clean() {
        return kind == Kind.COMPLETE || kind == Kind.FAILED;
    }

    long lost() {
        return expected - verified;
    }

    @Override
    public String toString() {
        return String.format("%-28s %-9s %,d/%,d B in %.1f s%s", tunnel, kind, verified, expected,
                elapsed.toMillis() / 1000.0, detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
