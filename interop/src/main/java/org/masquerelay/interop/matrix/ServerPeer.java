package org.masquerelay.interop.matrix;

/** A server implementation in the matrix. */
public interface ServerPeer {
    String name();

    /** Why this server cannot run a case with this client (reported as "?"), or null if it can. */
    default String unsupported(Case c, String client) {
        return null;
    }

    /** Starts it on loopback; closing the handle stops it. */
    Running start(InteropEnv env) throws Exception;

    interface Running extends AutoCloseable {
        ServerUnderTest target();

        @Override
        void close();
    }
}
