package org.masquerelay.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * @param connect            TCP connect and DNS resolution, per tunnel
 * @param happyEyeballsDelay RFC 8305 connection attempt delay between address families
 * @param idle               a tunnel with no traffic this long is closed
 * @param quicIdle           QUIC idle timeout of client connections
 */
public record Timeouts(Duration connect, Duration happyEyeballsDelay, Duration idle, Duration quicIdle) {

    /** RFC 8305 §5: attempt delays shorter than this flood the network. */
    public static final Duration MIN_HAPPY_EYEBALLS_DELAY = Duration.ofMillis(10);

    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(happyEyeballsDelay, "happyEyeballsDelay");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(quicIdle, "quicIdle");
        if (happyEyeballsDelay.compareTo(MIN_HAPPY_EYEBALLS_DELAY) < 0) {
            throw new ConfigException("timeouts.happy-eyeballs-delay", "must be at least 10ms (RFC 8305), got "
                    + Durations.format(happyEyeballsDelay));
        }
    }

    /** 10s connect, 250ms Happy Eyeballs delay (h2o's and RFC 8305's), 5m tunnel idle, 30s QUIC idle. */
    public static Timeouts defaults() {
        return new Timeouts(Duration.ofSeconds(10), Duration.ofMillis(250), Duration.ofMinutes(5),
                Duration.ofSeconds(30));
    }
}
