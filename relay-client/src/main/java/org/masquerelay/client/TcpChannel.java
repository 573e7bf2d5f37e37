package org.masquerelay.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A TCP flow, relayed ({@link TcpTunnel}) or direct, as a pair of streams with half-close. */
public interface TcpChannel extends Closeable {

    /** Bytes from the target; -1 at its FIN. A relayed channel's first read waits for the relay's answer. */
    InputStream inputStream();

    /** Bytes to the target; usable at once (a relayed channel sends them before the 200: optimistic data). */
    OutputStream outputStream();

    /** Sends FIN (TCP half-close): the target sees end of input, its answer can still be read. */
    void shutdownOutput() throws IOException;

    /** Waits until the flow is open (a relayed one: the relay answered 2xx); throws the typed failure otherwise. */
    void awaitEstablished() throws IOException;

    /** How the route policy sent this flow. */
    Route route();
}
