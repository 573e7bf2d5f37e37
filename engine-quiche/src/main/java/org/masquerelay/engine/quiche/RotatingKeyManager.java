package org.masquerelay.engine.quiche;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * The server's TLS identity, replaceable while the listener runs (certificate rotation). Netty's QUIC asks its key
 * manager for the chain and key in every handshake (BoringSSLCertificateCallback: chooseEngineServerAlias, then
 * getCertificateChain and getPrivateKey), so a new identity set here is what the next handshake presents, and open
 * connections are left as they are.
 */
final class RotatingKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "relay";

    private volatile Tls.Identity identity;

    RotatingKeyManager(Tls.Identity identity) {
        this.identity = identity;
    }

    void replace(Tls.Identity next) {
        identity = next;
    }

    /** Our one identity for a key type it can serve: EC types for an EC key, RSA types for an RSA key. */
    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return serves(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return serves(keyType) ? ALIAS : null;
    }

    private boolean serves(String keyType) {
        String algorithm = identity.key().getAlgorithm().toUpperCase(Locale.ROOT);
        String type = keyType == null ? "" : keyType.toUpperCase(Locale.ROOT);
        return algorithm.equals("EC") ? type.startsWith("EC") : type.contains(algorithm);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return serves(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? identity.chain().clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? identity.key() : null;
    }

    // A server identity only.
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
