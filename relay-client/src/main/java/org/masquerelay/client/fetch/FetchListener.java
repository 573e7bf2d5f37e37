package org.masquerelay.client.fetch;

import org.masquerelay.wire.HttpFields;

import javax.net.ssl.SSLSession;
import java.util.List;

/**
 * What happens during one exchange, as it happens: for a verbose trace and timings (OkHttp's EventListener, in
 * small). Every method does nothing unless overridden; they are called on the thread running the exchange.
 */
public interface FetchListener {
    /** Listens to nothing. */
    FetchListener NONE = new FetchListener() {};

    /** The tunnel request went to the relay (its header section). */
    default void tunnelRequested(HttpFields request) {}

    /** The relay answered the tunnel request with a 2xx, at {@code System.nanoTime()} {@code atNanos}. */
    default void tunnelEstablished(HttpFields answer, long atNanos) {}

    /** TLS with the target is up (HTTP/1.1 over https). */
    default void tlsEstablished(String host, SSLSession session) {}

    /** The request head went out, one line each (HTTP/1.1 text; HTTP/3 fields as "name: value"). */
    default void requestSent(List<String> head) {}

    /** The response head arrived, in the same form. */
    default void responseReceived(List<String> head) {}

    /** The first byte of the response arrived. */
    default void firstByte() {}
}
