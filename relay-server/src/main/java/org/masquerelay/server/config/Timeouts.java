package org.masquerelay.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * @param connect            TCP connect and DNS resolution, per tunnel
 * @param happyEyeballsDelay RFC 8305 connection attempt delay between address families
 * @param idle               a tunnel with no traffic this long is closed
 * @param quicIdle           QUIC idle timeout of client connections
 * @param drain              on SIGTERM, how long open tunnels may run on after GOAWAY before they are closed
 */
public record Timeouts(Duration connect, Duration happyEyeballsDelay, Duration idle, Duration quicIdle, Duration drain) {

    /** 30 s: long enough for most downloads to finish, well inside a service manager's stop timeout (90 s). */
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(30);

    /** RFC 8305 §5: attempt delays shorter than this flood the network. */
    public static final Duration MIN_HAPPY_EYEBALLS_DELAY = Duration.ofMillis(10);

    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(happyEyeballsDelay, "happyEyeballsDelay");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(quicIdle, "quicIdle");
        Objects.requireNonNull(drain, "drain");
        if (happyEyeballsDelay.compareTo(MIN_HAPPY_EYEBALLS_DELAY) < 0) {
            throw new ConfigException("timeouts.happy-eyeballs-delay", "must be at least 10ms (RFC 8305), got "
                    + Durations.format(happyEyeballsDelay));
        }
    }

    /** With the default drain. */
    public Timeouts(Duration connect, Duration happyEyeballsDelay, Duration idle, Duration quicIdle) {
        this(connect, happyEyeballsDelay, idle, quicIdle, DEFAULT_DRAIN);
    }

    /** 10s connect, 250ms Happy Eyeballs delay (h2o's and RFC 8305's), 5m tunnel idle, 30s QUIC idle, 30s drain. */
    public static Timeouts defaults() {
        return new Timeouts(Duration.ofSeconds(10), Duration.ofMillis(250), Duration.ofMinutes(5),
                Duration.ofSeconds(30), DEFAULT_DRAIN);
    }
}
