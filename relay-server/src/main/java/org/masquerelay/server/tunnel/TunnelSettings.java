package org.masquerelay.server.tunnel;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and bounds of the tunnel layer; immutable. Made with {@link #builder()} and changed with
 * {@link #newBuilder()}.
 */
public final class TunnelSettings {
    private final Duration connectTimeout;
    private final Duration attemptDelay;
    private final Duration idleTimeout;

    private TunnelSettings(Builder b) {
        this.connectTimeout = Objects.requireNonNull(b.connectTimeout, "connectTimeout");
        this.attemptDelay = Objects.requireNonNull(b.attemptDelay, "attemptDelay");
        this.idleTimeout = Objects.requireNonNull(b.idleTimeout, "idleTimeout");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of {@link Builder}. */
    public static TunnelSettings defaults() {
        return builder().build();
    }

    /** A builder starting from these settings. */
    public Builder newBuilder() {
        return new Builder(this);
    }

    /** Bound on DNS plus the TCP connection (all Happy Eyeballs attempts together). */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** RFC 8305 "Connection Attempt Delay" between starting two attempts (250 ms, as h2o). */
    public Duration attemptDelay() {
        return attemptDelay;
    }

    /** A tunnel with no bytes in either direction for this long is closed. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Defaults: 10 s to connect, 250 ms attempt delay, 5 min idle. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration attemptDelay = Duration.ofMillis(250);
        private Duration idleTimeout = Duration.ofMinutes(5);

        private Builder() {}

        private Builder(TunnelSettings s) {
            this.connectTimeout = s.connectTimeout;
            this.attemptDelay = s.attemptDelay;
            this.idleTimeout = s.idleTimeout;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        public Builder attemptDelay(Duration value) {
            this.attemptDelay = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        public TunnelSettings build() {
            return new TunnelSettings(this);
        }
    }
}
