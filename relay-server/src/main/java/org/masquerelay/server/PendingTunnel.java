package org.masquerelay.server;

import org.masquerelay.server.tunnel.TunnelRecord;
import org.masquerelay.wire.HttpFields;

import java.util.function.Consumer;

/**
 * A tunnel whose target is connected but not yet confirmed to the client: what a CONNECT handler hands back to
 * {@link RelayConnection}, which sends {@link #response()}, logs and then {@link #run runs} it (or
 * {@link #abandon abandons} it when the client has gone meanwhile).
 *
 * @param response  the 2xx to send
 * @param upstream  what the tunnel reached, for the log: the target's address
 * @param runner    carries the tunnel's bytes until either side ends it; closes the upstream
 * @param abandoner closes the upstream without running: the client went away before the 2xx
 */
record PendingTunnel(HttpFields response, Object upstream, Consumer<TunnelRecord> runner, Runnable abandoner) {

    /** Carries the tunnel's bytes until either side ends it; closes the upstream. */
    void run(TunnelRecord record) {
        runner.accept(record);
    }

    /** Closes the upstream without running: the client went away before the 2xx. */
    void abandon() {
        abandoner.run();
    }
}
