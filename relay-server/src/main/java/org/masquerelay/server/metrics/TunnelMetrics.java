package org.masquerelay.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import org.masquerelay.server.tunnel.TunnelRecord;

/**
 * One open tunnel's share of the metrics: bytes and datagrams each way as they move (the data points are looked up
 * once, so the data plane pays an add per chunk), drops by reason, and its duration when it closes.
 */
public final class TunnelMetrics implements TunnelRecord.Observer {
    private final RelayMetrics metrics;
    private final String kind;
    private final String transport;
    private final CounterDataPoint bytesUp;
    private final CounterDataPoint bytesDown;
    private final CounterDataPoint datagramsUp;
    private final CounterDataPoint datagramsDown;

    TunnelMetrics(RelayMetrics metrics, String kind, String transport) {
        this.metrics = metrics;
        this.kind = kind;
        this.transport = transport;
        this.bytesUp = metrics.bytes.labelValues(kind, "up");
        this.bytesDown = metrics.bytes.labelValues(kind, "down");
        this.datagramsUp = metrics.datagrams.labelValues("up");
        this.datagramsDown = metrics.datagrams.labelValues("down");
    }

    @Override
    public void up(long bytes) {
        bytesUp.inc(bytes);
    }

    @Override
    public void down(long bytes) {
        bytesDown.inc(bytes);
    }

    @Override
    public void datagramUp() {
        datagramsUp.inc();
    }

    @Override
    public void datagramDown() {
        datagramsDown.inc();
    }

    @Override
    public void dropped(String reason) {
        metrics.datagramDropped(reason);
    }

    /** The tunnel has ended after {@code durationNanos}. */
    public void closed(long durationNanos) {
        metrics.tunnelsOpen.labelValues(kind, transport).dec();
        metrics.tunnelDuration.labelValues(kind).observe(durationNanos / 1e9);
    }
}
