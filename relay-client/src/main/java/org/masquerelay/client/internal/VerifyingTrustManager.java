package org.masquerelay.client.internal;

import java.net.Socket;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Verifies a relay's certificate the way Apple's client does, for one host: chain to a trusted root, then the host in
 * subjectAltName (the CN is ignored; an IP literal needs an IP SAN). Two reasons for wrapping the JDK's trust
 * manager: agent15 calls it with authType "RSA", which makes the JDK demand the keyEncipherment key usage (a TLS 1.2
 * RSA key-exchange rule) and so rejects every ECDSA certificate, while TLS 1.3 only signs ("UNKNOWN" is the JDK's own
 * choice for TLS 1.3); and agent15 reduces any failure to "certificate validation failed", so the reason is kept
 * here for the error message. It is an {@link X509ExtendedTrustManager} because Netty's QUIC (quiche engine) refuses
 * a plain one when endpoint identification is on; the socket/engine variants do the same checks, host included.
 */
public final class VerifyingTrustManager extends X509ExtendedTrustManager {
    private final X509TrustManager delegate;
    private final String host;
    private volatile String lastProblem;

    public VerifyingTrustManager(X509TrustManager delegate, String host) {
        this.delegate = delegate == null ? systemDefault() : delegate;
        this.host = host;
    }

    public void clear() {
        lastProblem = null;
    }

    /** Why the last check failed, or null. */
    public String lastProblem() {
        return lastProblem;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, "UNKNOWN");
        } catch (CertificateException e) {
            lastProblem = "certificate of " + describe(chain) + " is not trusted: " + RelayHop.innermostMessage(e)
                    + " (give the relay's CA with --proxy-cacert, or trust it in the system store)";
            throw e;
        }
        if (!matchesHost(chain[0])) {
            lastProblem = "certificate of " + describe(chain) + " does not name '" + host + "' in its subjectAltName "
                    + sanList(chain[0]) + " (the CN is not used)";
            throw new CertificateException(lastProblem);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    private static String describe(X509Certificate[] chain) {
        return chain.length == 0 ? "the relay" : "'" + chain[0].getSubjectX500Principal().getName() + "'";
    }

    private boolean matchesHost(X509Certificate leaf) throws CertificateParsingException {
        Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
        if (sans == null) {
            return false;
        }
        boolean ipLiteral = host.indexOf(':') >= 0 || host.matches("[0-9.]+");
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            String value = (String) san.get(1);
            if (ipLiteral && type == 7 && sameAddress(host, value)) {
                return true;
            }
            if (!ipLiteral && type == 2 && dnsMatches(value.toLowerCase(Locale.ROOT), host.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameAddress(String a, String b) {
        try {
            // Both are literals, so no lookup happens; this equates "::1" and "0:0:0:0:0:0:0:1".
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Exact, or a wildcard in the whole leftmost label ("*.example.com" covers "a.example.com" only). */
    private static boolean dnsMatches(String pattern, String name) {
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (pattern.startsWith("*.")) {
            int dot = name.indexOf('.');
            return dot > 0 && name.substring(dot + 1).equals(pattern.substring(2));
        }
        return pattern.equals(name);
    }

    private static String sanList(X509Certificate leaf) {
        try {
            List<String> out = new ArrayList<>();
            if (leaf.getSubjectAlternativeNames() != null) {
                for (List<?> san : leaf.getSubjectAlternativeNames()) {
                    out.add(((Integer) san.get(0) == 7 ? "IP:" : "DNS:") + san.get(1));
                }
            }
            return out.toString();
        } catch (CertificateParsingException e) {
            return "[unreadable]";
        }
    }

    static X509TrustManager systemDefault() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no default trust manager", e);
        }
        throw new IllegalStateException("the JDK has no default X509TrustManager");
    }
}
