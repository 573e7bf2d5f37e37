package org.masquerelay.client.internal;

import org.masquerelay.client.RelayEndpoint;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTransport;
import org.masquerelay.client.RelayTrustException;
import org.masquerelay.client.RelayUnreachableException;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.h2.H2ClientEngine;
import org.masquerelay.engine.h2.TlsClientConnection;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * A hop's connection over TLS on TCP (HTTP/2, or HTTP/1.1 when offered alone or when the relay chooses it), and its
 * failures as the same typed exceptions as over QUIC: a caller (and an exit code) cannot tell the transports apart
 * by the exception type, only by the message.
 */
final class TcpTransport {
    private TcpTransport() {}

    static RelayHop.Connected connect(RelayEndpoint endpoint, ClientEngineSettings settings, VerifyingTrustManager trust,
                                      boolean offerH2, String reason) throws RelayException {
        long start = System.nanoTime();
        trust.clear();
        TlsClientConnection connection;
        try {
            connection = H2ClientEngine.connect(settings, offerH2);
        } catch (IOException | RuntimeException e) {
            throw classify(endpoint, settings, trust, e);
        }
        String why = offerH2 && !connection.protocol().equals("h2")
                ? reason + "; h2 offered, the relay chose " + connection.protocol() + " by ALPN" : reason;
        return new RelayHop.Connected(connection, false, System.nanoTime() - start,
                new RelayTransport.Choice(connection.protocol(), why));
    }

    private static RelayException classify(RelayEndpoint endpoint, ClientEngineSettings settings,
                                           VerifyingTrustManager trust, Throwable e) {
        if (trust.lastProblem() != null) {
            return new RelayTrustException(true, "TLS trust failure with the relay " + endpoint + ": " + trust.lastProblem(), e);
        }
        if (hasCause(e, UnknownHostException.class)) {
            return new RelayUnreachableException(RelayUnreachableException.Reason.NAME_NOT_RESOLVED,
                    "cannot resolve the relay host '" + endpoint.host() + "'", e);
        }
        String message = RelayHop.innermostMessage(e);
        if (hasCause(e, ConnectException.class) && message.toLowerCase(Locale.ROOT).contains("refused")) {
            return new RelayUnreachableException("nothing listens on TCP " + endpoint.authority()
                    + " (connection refused): is the relay's TCP listener on, on that port?", e);
        }
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("timed out") || lower.contains("timeout")) {
            return new RelayUnreachableException(RelayUnreachableException.Reason.NO_ANSWER, "no TCP/TLS answer from "
                    + endpoint + " within " + settings.connectTimeout().toMillis() + " ms (" + message + ")", e);
        }
        String certificateProblem = RelayHop.certificateProblem(e);
        if (certificateProblem != null) {
            return new RelayTrustException(false, "TLS handshake with the relay " + endpoint + " failed: " + certificateProblem, e);
        }
        return new RelayUnreachableException("cannot connect to the relay " + endpoint + " over TCP: " + message, e);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
