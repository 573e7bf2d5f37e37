package org.masquerelay.client;

import org.masquerelay.client.internal.VerifyingTrustManager;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Loads trust anchors and client identities from files, with messages that name the file at fault. */
public final class TrustMaterial {
    private static final Pattern PKCS8 = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private TrustMaterial() {}

    /** A trust manager that trusts exactly the CA certificates of a PEM (or DER) file. */
    public static X509TrustManager fromCaFile(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            // CertificateFactory reads PEM (one or several BEGIN CERTIFICATE blocks) as well as DER.
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(caFile + " holds no certificate");
            }
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                anchors.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X509TrustManager in the JDK");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("the CA file " + caFile + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the CA file " + caFile + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(caFile + " is not a PEM or DER certificate file: " + e.getMessage(), e);
        }
    }

    /**
     * A trust manager for a QUIC (Kwik) connection to {@code host}: TLS 1.3 rules (no RSA key-exchange key usage
     * demanded) and the host checked against subjectAltName. {@code anchors} null means the system's roots.
     */
    public static X509TrustManager forQuic(X509TrustManager anchors, String host) {
        return new VerifyingTrustManager(anchors, host);
    }

    /** A PKCS#12 client identity (what Apple's NERelay identityData holds). */
    public static KeyStore pkcs12(Path file, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load the PKCS#12 client identity " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client identity from a PEM certificate chain (leaf first) and an unencrypted PKCS#8 PEM private key
     * ("BEGIN PRIVATE KEY"; convert others with {@code openssl pkcs8 -topk8 -nocrypt}). RSA or EC.
     */
    public static KeyStore pem(Path certificateChain, Path privateKey, char[] password) {
        List<Certificate> chain;
        try (InputStream in = Files.newInputStream(certificateChain)) {
            chain = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the client certificate " + certificateChain + ": " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(certificateChain + " holds no certificate");
        }
        PrivateKey key;
        try {
            Matcher m = PKCS8.matcher(Files.readString(privateKey));
            if (!m.find()) {
                throw new IllegalArgumentException(privateKey + " is not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY);"
                        + " convert it with: openssl pkcs8 -topk8 -nocrypt -in " + privateKey);
            }
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            String algorithm = chain.get(0).getPublicKey().getAlgorithm(); // "RSA" or "EC"
            key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the client key " + privateKey + ": " + e.getMessage(), e);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", key, password, chain.toArray(Certificate[]::new));
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("client key " + privateKey + " does not go with " + certificateChain + ": " + e.getMessage(), e);
        }
    }
}
