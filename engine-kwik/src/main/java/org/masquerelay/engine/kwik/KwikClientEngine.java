package org.masquerelay.engine.kwik;

import org.masquerelay.engine.ClientEngine;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.wire.H3;
import tech.kwik.core.QuicClientConnection;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;

/** Opens HTTP/3 connections with Kwik's QUIC client. */
public final class KwikClientEngine implements ClientEngine {
    private static final System.Logger LOG = System.getLogger(KwikClientEngine.class.getName());
    /** A first attempt shorter than this is not split: a second one would have too little time to matter. */
    private static final Duration SPLIT_ABOVE = Duration.ofSeconds(2);

    /** New connections after a handshake that failed in Kwik's own code, at most (each such failure takes milliseconds). */
    private static final int INTERNAL_FAILURE_RETRIES = 4;

    /**
     * Two defects of Kwik's client handshake are met with a new connection, within the connect timeout:
     * <ul>
     *   <li>now and then it never completes (about one fresh connection in 1,000 on a loaded machine: docs/upstream.md;
     *   the relay sees a handshake that its client abandons): the first attempt gets half of the connect timeout, a new
     *   connection the rest;</li>
     *   <li>it fails at once in its own code when the relay's Retry (address validation, RFC 9000 §8.1.2) arrives before
     *   Kwik has noted the ClientHello it sent (a NullPointerException in CryptoStream.write: about one connection in
     *   15 to a relay that always sends Retry, on loopback; docs/upstream.md): tried again, a few times.</li>
     * </ul>
     * The bound stays the connect timeout. Not for a supplied socket that serves one connection (a tunnel to the next
     * relay); relay-client's first hop supplies a fresh probed socket each call.
     */
    @Override
    public ClientConnection connect(ClientEngineSettings settings) throws IOException {
        Duration total = settings.connectTimeout();
        if ((settings.socketSupplier() != null && !settings.freshSocketEachCall()) || total.compareTo(SPLIT_ABOVE) < 0) {
            return connect(settings, total);
        }
        long deadline = System.nanoTime() + total.toNanos();
        boolean stalled = false;
        int internalFailures = 0;
        while (true) {
            Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000));
            try {
                return connect(settings, stalled ? left : min(left, total.dividedBy(2)));
            } catch (HandshakeTimeout timeout) {
                if (stalled) {
                    // No cause: the message is the whole story, and the innermost message is what users are shown.
                    throw new HandshakeTimeout("Connection timed out after " + total.toMillis() + " ms (two connection"
                            + " attempts)", null);
                }
                stalled = true;
                LOG.log(System.Logger.Level.INFO, "no QUIC handshake with {0}:{1} within {2} ms: trying a new connection"
                        + " for the remaining {3} ms", settings.host(), String.valueOf(settings.port()),
                        String.valueOf(total.dividedBy(2).toMillis()),
                        String.valueOf((deadline - System.nanoTime()) / 1_000_000));
            } catch (FailedInKwik failure) {
                if (++internalFailures > INTERNAL_FAILURE_RETRIES || deadline - System.nanoTime() < 1_000_000) {
                    throw failure;
                }
                LOG.log(System.Logger.Level.INFO, "the QUIC handshake with {0}:{1} failed in Kwik''s own code ({2}):"
                        + " trying a new connection", settings.host(), String.valueOf(settings.port()),
                        String.valueOf(failure.getCause()));
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The handshake did not complete in time (Kwik's ConnectException "Connection timed out after N ms"). */
    private static final class HandshakeTimeout extends IOException {
        HandshakeTimeout(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The handshake failed because Kwik's own code threw (see {@link KwikLog#internalFailure()}). */
    private static final class FailedInKwik extends IOException {
        FailedInKwik(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private ClientConnection connect(ClientEngineSettings settings, Duration connectTimeout) throws IOException {
        KwikLog log = new KwikLog().keepInternalFailures(true);
        QuicClientConnection.Builder builder = QuicClientConnection.newBuilder()
                .host(settings.host())
                .port(settings.port())
                .applicationProtocol("h3")
                .connectTimeout(connectTimeout)
                .maxIdleTimeout(settings.idleTimeout())
                .enableDatagramExtension()
                .maxOpenPeerInitiatedUnidirectionalStreams(16)
                .maxOpenPeerInitiatedBidirectionalStreams(0)
                .defaultStreamReceiveBufferSize(2L * 1024 * 1024)
                .logger(log);
        if (settings.insecure()) {
            builder.noServerCertificateCheck();
        } else if (settings.trustManager() != null) {
            builder.customTrustManager(settings.trustManager());
        }
        if (settings.clientIdentity() != null) {
            builder.clientKeyManager(settings.clientIdentity());
            builder.clientKey(settings.clientIdentityPassword() == null ? "" : new String(settings.clientIdentityPassword()));
        }
        if (settings.socketSupplier() != null) {
            builder.socketFactory((InetAddress destination) -> settings.socketSupplier().get());
        }
        if (settings.keyLogFile() != null) {
            builder.secrets(settings.keyLogFile());
        }
        QuicClientConnection quic;
        try {
            quic = builder.build();
            if (!settings.insecure()) {
                IpHostnameVerifier.install(quic, settings.host());
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot set up a QUIC connection to " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        // Handlers first: the relay's control stream and early datagrams may arrive as soon as the handshake ends.
        KwikClientConnection connection = new KwikClientConnection(quic);
        quic.setPeerInitiatedStreamCallback(stream -> {
            if (stream.isUnidirectional()) {
                connection.acceptUnidirectional(stream);
            } else {
                stream.abortReading(H3.H3_STREAM_CREATION_ERROR);
                stream.resetStream(H3.H3_STREAM_CREATION_ERROR);
            }
        });
        try {
            quic.connect();
            connection.startControlStream();
        } catch (IOException | RuntimeException e) {
            quic.close();
            connection.failed("connect failed: " + e.getMessage());
            String message = "cannot connect to the relay at " + settings.host() + ":" + settings.port() + ": " + describe(e);
            if (e instanceof java.net.ConnectException && describe(e).startsWith("Connection timed out")) {
                throw new HandshakeTimeout(message, e);
            }
            if (log.internalFailure() != null) {
                throw new FailedInKwik(message + " (Kwik failed in its own code: " + log.internalFailure() + ")",
                        log.internalFailure());
            }
            throw new IOException(message, e);
        } finally {
            connection.connectDone();
        }
        log.keepInternalFailures(false); // connected: a later failure of Kwik's is a warning again
        return connection;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
