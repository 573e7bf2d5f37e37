package org.masquerelay.engine.kwik;

import org.masquerelay.engine.ClientEngine;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.wire.H3;
import tech.kwik.core.QuicClientConnection;

import java.io.IOException;
import java.net.InetAddress;

/** Opens HTTP/3 connections with Kwik's QUIC client. */
public final class KwikClientEngine implements ClientEngine {

    @Override
    public ClientConnection connect(ClientEngineSettings settings) throws IOException {
        QuicClientConnection.Builder builder = QuicClientConnection.newBuilder()
                .host(settings.host())
                .port(settings.port())
                .applicationProtocol("h3")
                .connectTimeout(settings.connectTimeout())
                .maxIdleTimeout(settings.idleTimeout())
                .enableDatagramExtension()
                .maxOpenPeerInitiatedUnidirectionalStreams(16)
                .maxOpenPeerInitiatedBidirectionalStreams(0)
                .defaultStreamReceiveBufferSize(2L * 1024 * 1024)
                .logger(new KwikLog());
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
            throw new IOException("cannot connect to the relay at " + settings.host() + ":" + settings.port() + ": " + describe(e), e);
        } finally {
            connection.connectDone();
        }
        return connection;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
