package org.masquerelay.server.tunnel;

import org.masquerelay.wire.ProxyError;
import org.masquerelay.wire.Refusal;

import java.util.Locale;
import java.util.Optional;

/**
 * A failure that is the relay's own shortage, not the destination's: out of file descriptors (EMFILE "Too many open
 * files", ENFILE), of socket buffers (ENOBUFS) or of memory. It is answered as what it is — 503 with
 * {@code connection_limit_reached}: the relay cannot open another connection to the next hop — never as a destination
 * error such as {@code destination_ip_unroutable}, which would send users and operators looking at the target.
 */
public final class ResourceExhaustion {
    private ResourceExhaustion() {}

    /** The 503 for {@code failure} when it (or a cause) is a resource shortage of the relay's. */
    public static Optional<Refusal> of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return Optional.of(answer("out of memory"));
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("too many open files") || message.contains("emfile") || message.contains("enfile")) {
                return Optional.of(answer("out of file descriptors (" + t.getMessage() + ")"));
            }
            if (message.contains("no buffer space available") || message.contains("cannot allocate memory")) {
                return Optional.of(answer("out of socket buffers or memory (" + t.getMessage() + ")"));
            }
        }
        return Optional.empty();
    }

    private static Refusal answer(String what) {
        return new Refusal(503, ProxyError.CONNECTION_LIMIT_REACHED, "the relay is " + what
                + "; try again later");
    }
}
