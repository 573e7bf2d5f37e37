package org.masquerelay.server;

import org.masquerelay.server.tunnel.TunnelRecord;
import org.masquerelay.wire.HttpFields;

/**
 * A tunnel whose target is connected but not yet confirmed to the client: what a CONNECT handler hands back to
 * {@link RelayConnection}, which sends {@link #response()}, logs and then {@link #run runs} it (or
 * {@link #abandon abandons} it when the client has gone meanwhile).
 */
interface PendingTunnel {
    /** The 2xx to send. */
    HttpFields response();

    /** What the tunnel reached, for the log: the target's address. */
    Object upstream();

    /** Carries the tunnel's bytes until either side ends it; closes the upstream. */
    void run(TunnelRecord record);

    /** Closes the upstream without running: the client went away before the 2xx. */
    void abandon();
}
