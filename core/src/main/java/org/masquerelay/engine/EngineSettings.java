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
 */
public record EngineSettings(KeyStore keyStore, String keyAlias, char[] keyPassword, int maxFieldSectionSize,
                             long maxDataFrameSize, int maxStreamsPerConnection, Duration idleTimeout) {
}
