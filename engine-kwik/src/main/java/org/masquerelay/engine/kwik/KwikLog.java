package org.masquerelay.engine.kwik;

import tech.kwik.core.log.BaseLogger;

import java.nio.ByteBuffer;

/**
 * Routes Kwik's own log (mandatory for its server connector) to {@link System.Logger} "tech.kwik": its errors as
 * warnings, everything else at debug, so a relay's log shows our tunnel lines and not QUIC internals.
 */
final class KwikLog extends BaseLogger {
    private static final System.Logger LOG = System.getLogger("tech.kwik");

    /** {@code -Dmasquerelay.kwik.trace=true} logs Kwik's packets, recovery and flow control (at debug level). */
    private static final boolean TRACE = Boolean.getBoolean("masquerelay.kwik.trace");

    /** The first exception of Kwik's own code it reported (a defect of Kwik's, not an answer of the peer); else null. */
    private volatile RuntimeException internalFailure;
    /** While set (a client's handshake), such exceptions are kept for the engine, which reports them, not logged. */
    private volatile boolean keepInternalFailures;

    KwikLog() {
        logWarning(TRACE);
        logInfo(TRACE);
        logPackets(TRACE && Boolean.getBoolean("masquerelay.kwik.packets"));
        logRecovery(TRACE);
        logCongestionControl(TRACE);
        logFlowControl(TRACE);
        logStream(TRACE);
    }

    @Override
    protected void log(String message) {
        LOG.log(System.Logger.Level.DEBUG, message);
    }

    @Override
    protected void log(String message, Throwable ex) {
        if (keepInternalFailures && ex instanceof RuntimeException failure) {
            if (internalFailure == null) {
                internalFailure = failure;
            }
            LOG.log(System.Logger.Level.DEBUG, message, ex);
            return;
        }
        LOG.log(System.Logger.Level.WARNING, message, ex);
    }

    /** Keeps Kwik's own exceptions for {@link #internalFailure()} from now on, or (false) logs them as warnings again. */
    KwikLog keepInternalFailures(boolean on) {
        keepInternalFailures = on;
        return this;
    }

    /**
     * The first RuntimeException Kwik logged while they were kept: Kwik catches those in its receiver, logs them and
     * aborts the connection, so a handshake that failed after one failed in Kwik's code, whatever the relay did.
     */
    RuntimeException internalFailure() {
        return internalFailure;
    }

    @Override
    protected void logWithHexDump(String message, byte[] data, int length) {
        LOG.log(System.Logger.Level.TRACE, message);
    }

    @Override
    protected void logWithHexDump(String message, ByteBuffer data, int offset, int length) {
        LOG.log(System.Logger.Level.TRACE, message);
    }
}
