package org.masquerelay.engine;

import java.security.KeyStore;
import java.time.Duration;

/**
 * What a server engine needs, independent of the QUIC stack.
 *
 * @param keyStore           the TLS identity (one private key entry with its chain)
 * @param keyAlias           the alias of that entry
 * @param keyPassword        its password
 * @param maxFieldSectionSize largest request HEADERS frame accepted (bytes); larger gets 431
 * @param maxDataFrameSize   largest DATA frame accepted on a request stream; larger resets the stream
 * @param maxStreamsPerConnection concurrent request streams a client may open
 * @param idleTimeout        QUIC idle timeout
 * @param streamWindow       QUIC receive window of each request stream (bytes a client may send ahead of our reads)
 * @param maxConnections     concurrent connections; more are closed at once with H3_EXCESSIVE_LOAD
 */
public record EngineSettings(KeyStore keyStore, String keyAlias, char[] keyPassword, int maxFieldSectionSize,
                             long maxDataFrameSize, int maxStreamsPerConnection, Duration idleTimeout,
                             long streamWindow, int maxConnections) {
}
