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
        LOG.log(System.Logger.Level.WARNING, message, ex);
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
