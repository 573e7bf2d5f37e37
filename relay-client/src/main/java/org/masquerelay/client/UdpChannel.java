package org.masquerelay.client;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/** A UDP flow to one target, relayed ({@link UdpTunnel}) or direct: whole datagrams in both directions. */
public interface UdpChannel extends Closeable {

    /** Sends one UDP payload. @throws DatagramTooLargeException when it exceeds {@link #maxPayloadSize()} */
    void send(byte[] payload, int offset, int length) throws IOException;

    default void send(byte[] payload) throws IOException {
        send(payload, 0, payload.length);
    }

    /**
     * The next UDP payload from the target, or null when none came within the timeout (null timeout: wait for ever).
     * Throws once the flow has ended: the typed {@link RelayException} when the relay refused or lost it.
     */
    byte[] receive(Duration timeout) throws IOException;

    /** The largest payload {@link #send} accepts now. */
    int maxPayloadSize();

    /** Waits until the flow is open (a relayed one: the relay answered 2xx); throws the typed failure otherwise. */
    void awaitEstablished() throws IOException;

    Route route();
}
