package org.masquerelay.engine;

/** What a tunnel's data plane reports while it copies: bytes each way and, once, how the tunnel ended. */
public interface TunnelMeter {

    /** Client to target. */
    void up(long bytes);

    /** Target to client. */
    void down(long bytes);

    /** The first reason given wins: it is the cause, later ones are consequences. */
    void ended(String how);
}
