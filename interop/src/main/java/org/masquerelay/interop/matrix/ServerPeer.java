package org.masquerelay.interop.matrix;

/** A server implementation in the matrix. */
public interface ServerPeer {
    String name();

    /** Starts it on loopback; closing the handle stops it. */
    Running start(InteropEnv env) throws Exception;

    interface Running extends AutoCloseable {
        ServerUnderTest target();

        @Override
        void close();
    }
}
