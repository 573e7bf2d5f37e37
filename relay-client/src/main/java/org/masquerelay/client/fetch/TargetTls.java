package org.masquerelay.client.fetch;

import org.masquerelay.client.TcpTunnel;
import org.masquerelay.client.TrustMaterial;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * How the target's certificate is checked (curl's --cacert and -k), and TLS to the target over a tunnel.
 *
 * @param insecure do not check the target's certificate at all
 * @param caFile   trust only the CA certificates of this PEM file; null: the system's roots
 */
public record TargetTls(boolean insecure, Path caFile) {

    /** The system's roots, checked. */
    public static TargetTls system() {
        return new TargetTls(false, null);
    }

    /** For a QUIC connection to {@code host}: null when not checking (insecure). */
    X509TrustManager quicTrust(String host) {
        return insecure ? null : TrustMaterial.forQuic(caFile == null ? null : TrustMaterial.fromCaFile(caFile), host);
    }

    /**
     * TLS (ALPN http/1.1) over {@code plain}, checking {@code host}. The ClientHello goes before the relay's 200
     * (optimistic data). A failed handshake is typed: the relay's refusal of the tunnel when there was one, else
     * {@link TargetException} UNTRUSTED or TLS_HANDSHAKE.
     */
    SSLSocket handshake(Socket plain, String host, int port, TcpTunnel tunnel) throws IOException {
        SSLSocket ssl;
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers(), null);
            ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm(insecure ? null : "HTTPS");
        params.setApplicationProtocols(new String[] {"http/1.1"});
        ssl.setSSLParameters(params);
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            if (tunnel != null && tunnel.failure().isPresent()) {
                throw tunnel.failure().get();
            }
            if (e instanceof SSLHandshakeException && isCertificateProblem(e)) {
                throw TargetException.untrusted("TLS trust failure with the target " + host + ":" + port + ": "
                        + innermost(e) + (caFile == null ? " (give its CA with --cacert, or -k)" : ""), e);
            }
            if (e instanceof SSLHandshakeException) {
                throw TargetException.tls("TLS handshake with the target " + host + ":" + port + " failed: " + innermost(e), e);
            }
            throw Http1Exchange.targetFailure(tunnel, e, "TLS handshake with " + host + ":" + port + " failed");
        }
        return ssl;
    }

    private TrustManager[] trustManagers() {
        if (insecure) {
            return new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }};
        }
        return caFile == null ? null : new TrustManager[] {TrustMaterial.fromCaFile(caFile)};
    }

    /** A handshake that failed over the peer's certificate (curl 60), not otherwise (curl 35). */
    private static boolean isCertificateProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException) {
                return true;
            }
        }
        String m = innermost(e).toLowerCase(Locale.ROOT);
        return m.contains("certificat") || m.contains("certification path") || m.contains("no subject alternative");
    }

    static String innermost(Throwable e) {
        String message = e.toString();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }
}
