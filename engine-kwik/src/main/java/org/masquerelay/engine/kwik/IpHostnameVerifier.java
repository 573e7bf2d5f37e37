package org.masquerelay.engine.kwik;

import tech.kwik.agent15.engine.DefaultHostnameVerifier;
import tech.kwik.agent15.engine.HostnameVerifier;
import tech.kwik.agent15.engine.TlsClientEngine;
import tech.kwik.core.QuicClientConnection;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * agent15's DefaultHostnameVerifier compares the server name with DNS subjectAltNames only, so a relay addressed by
 * IP literal (https://127.0.0.1:4433/, whose certificate has the IP SAN that Apple's client requires) always fails
 * with "servername does not match". Kwik's builder has no hook for the verifier, so it is set on the TLS engine
 * (the private field {@code tlsEngine}, present in the pinned Kwik 0.10.8) before connect(): IP literals are matched
 * against IP SANs (type 7), names as before.
 */
final class IpHostnameVerifier implements HostnameVerifier {
    private final HostnameVerifier names = new DefaultHostnameVerifier();

    static void install(QuicClientConnection quic, String host) {
        if (!isIpLiteral(host)) {
            return;
        }
        try {
            Field field = quic.getClass().getDeclaredField("tlsEngine");
            field.setAccessible(true);
            ((TlsClientEngine) field.get(quic)).setHostnameVerifier(new IpHostnameVerifier());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot install the IP-address certificate check in this Kwik version: " + e, e);
        }
    }

    @Override
    public boolean verify(String serverName, X509Certificate certificate) {
        if (!isIpLiteral(serverName)) {
            return names.verify(serverName, certificate);
        }
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans == null) {
                return false;
            }
            InetAddress wanted = InetAddress.getByName(serverName); // a literal: no lookup
            for (List<?> san : sans) {
                if ((Integer) san.get(0) == 7 && InetAddress.getByName((String) san.get(1)).equals(wanted)) {
                    return true;
                }
            }
            return false;
        } catch (CertificateParsingException | UnknownHostException e) {
            return false;
        }
    }

    private static boolean isIpLiteral(String host) {
        return host != null && (host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"));
    }
}
