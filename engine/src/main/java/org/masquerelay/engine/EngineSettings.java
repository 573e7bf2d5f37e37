package org.masquerelay.engine;

import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

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
 * @param clientCaCertificates mutual TLS: when not empty, every client must present a certificate issued by one of
 *                           these CAs, or the handshake fails with a TLS alert; the verified certificate is then
 *                           {@link H3Connection#peerCertificate()}. Empty: no client certificates asked for.
 * @param eventLoops         event-loop threads of an engine that has them (quiche), each with its own SO_REUSEPORT
 *                           socket on the same address; 0 = one per core
 * @param unfinishedRequests request streams whose header section has not arrived: timeout and limits, shared by
 *                           every listener of the relay
 */
public record EngineSettings(KeyStore keyStore, String keyAlias, char[] keyPassword, int maxFieldSectionSize,
                             long maxDataFrameSize, int maxStreamsPerConnection, Duration idleTimeout,
                             long streamWindow, int maxConnections, List<X509Certificate> clientCaCertificates,
                             int eventLoops, UnfinishedRequests unfinishedRequests) {

    public EngineSettings {
        clientCaCertificates = clientCaCertificates == null ? List.of() : List.copyOf(clientCaCertificates);
        unfinishedRequests = unfinishedRequests == null ? UnfinishedRequests.defaults() : unfinishedRequests;
    }

    /** The event-loop threads to run: {@link #eventLoops()}, or one per core when that is 0. */
    public int eventLoopThreads() {
        return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    }

    /** Without mutual TLS. */
    public EngineSettings(KeyStore keyStore, String keyAlias, char[] keyPassword, int maxFieldSectionSize,
                          long maxDataFrameSize, int maxStreamsPerConnection, Duration idleTimeout,
                          long streamWindow, int maxConnections) {
        this(keyStore, keyAlias, keyPassword, maxFieldSectionSize, maxDataFrameSize, maxStreamsPerConnection,
                idleTimeout, streamWindow, maxConnections, List.of(), 0, null);
    }

    /** Whether clients must present a certificate from one of {@link #clientCaCertificates()}. */
    public boolean requiresClientCertificates() {
        return !clientCaCertificates.isEmpty();
    }

    public EngineSettings withClientCaCertificates(List<X509Certificate> value) {
        return new EngineSettings(keyStore, keyAlias, keyPassword, maxFieldSectionSize, maxDataFrameSize,
                maxStreamsPerConnection, idleTimeout, streamWindow, maxConnections, value, eventLoops, unfinishedRequests);
    }
}
