package org.masquerelay.server.certs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.masquerelay.server.certs.IdentityException.Source;

/**
 * Loads the relay's TLS identity into an in-memory PKCS#12 {@link KeyStore} holding one key entry, the form the QUIC
 * stack takes ({@code withKeyStore(keyStore, alias, password, ecCurve)}).
 */
public final class Identities {

    /** Curves TLS 1.3 signature schemes name (ecdsa_secp256r1_sha256 etc.), in the JDK's names. */
    private static final List<String> CURVES = List.of("secp256r1", "secp384r1", "secp521r1");

    private Identities() {
    }

    /**
     * From a PEM certificate chain (leaf first) and a PEM private key (EC or RSA; PKCS#8 or traditional).
     *
     * @throws IdentityException naming the file at fault and what is wrong with it
     */
    public static KeyStore fromPem(Path certificate, Path privateKey, String alias, char[] password) {
        List<X509Certificate> chain;
        try {
            chain = Pem.readCertificates(certificate);
        } catch (IOException e) {
            throw new IdentityException(Source.CERTIFICATE, "cannot read " + certificate + ": " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IdentityException(Source.CERTIFICATE, certificate + " holds no certificate (expected"
                    + " '-----BEGIN CERTIFICATE-----' blocks, leaf first)");
        }
        PrivateKey key;
        try {
            key = Pem.readPrivateKey(privateKey);
        } catch (IOException e) {
            throw new IdentityException(Source.PRIVATE_KEY, "cannot read " + privateKey + ": " + e.getMessage(), e);
        }
        if (key == null) {
            throw new IdentityException(Source.PRIVATE_KEY, privateKey + " holds no private key");
        }
        requireMatch(key, chain, certificate + "", privateKey + "");
        return store(key, chain, alias, password);
    }

    /**
     * From a PKCS#12 file holding exactly one private key entry, whatever its alias; the result uses {@code alias}
     * and {@code password}.
     */
    public static KeyStore fromPkcs12(Path file, char[] filePassword, String alias, char[] password) {
        KeyStore source;
        try (InputStream in = Files.newInputStream(file)) {
            source = KeyStore.getInstance("PKCS12");
            source.load(in, filePassword);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IdentityException(Source.PKCS12, "wrong password for " + file, e);
            }
            throw new IdentityException(Source.PKCS12, "cannot read " + file + " as PKCS#12 (wrong password or not"
                    + " a .p12/.pfx file): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IdentityException(Source.PKCS12, "cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            List<String> keyAliases = new ArrayList<>();
            for (String a : Collections.list(source.aliases())) {
                if (source.isKeyEntry(a)) {
                    keyAliases.add(a);
                }
            }
            if (keyAliases.isEmpty()) {
                throw new IdentityException(Source.PKCS12, file + " holds no private key");
            }
            if (keyAliases.size() > 1) {
                throw new IdentityException(Source.PKCS12, file + " holds " + keyAliases.size() + " private keys ("
                        + String.join(", ", keyAliases) + "); keep only the relay's");
            }
            Key key = source.getKey(keyAliases.get(0), filePassword);
            Certificate[] certs = source.getCertificateChain(keyAliases.get(0));
            if (!(key instanceof PrivateKey privateKey) || certs == null || certs.length == 0) {
                throw new IdentityException(Source.PKCS12, file + " holds a key without its certificate chain");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : certs) {
                chain.add((X509Certificate) c);
            }
            requireMatch(privateKey, chain, file + "", file + "");
            return store(privateKey, chain, alias, password);
        } catch (UnrecoverableKeyException e) {
            throw new IdentityException(Source.PKCS12, "the key in " + file + " has a password other than the"
                    + " file's; export it with one password for both", e);
        } catch (GeneralSecurityException e) {
            throw new IdentityException(Source.PKCS12, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The stored identity's certificate chain, leaf first. */
    public static List<X509Certificate> chain(KeyStore keyStore, String alias) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : keyStore.getCertificateChain(alias)) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new CertsException("cannot read the chain of '" + alias + "': " + e.getMessage(), e);
        }
    }

    /**
     * The JDK name of an EC key's curve ("secp256r1"), or null for a non-EC (RSA) key.
     *
     * @throws CertsException for a curve TLS 1.3 cannot sign with
     */
    public static String ecCurveName(PrivateKey key) {
        if (!(key instanceof ECPrivateKey ec)) {
            return null;
        }
        ECParameterSpec params = ec.getParams();
        for (String name : CURVES) {
            ECParameterSpec known = curve(name);
            if (known.getCurve().equals(params.getCurve()) && known.getOrder().equals(params.getOrder())
                    && known.getGenerator().equals(params.getGenerator())) {
                return name;
            }
        }
        throw new CertsException("the EC key uses a curve TLS 1.3 cannot sign with; use P-256 (secp256r1), P-384 or"
                + " P-521");
    }

    private static ECParameterSpec curve(String name) {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec(name));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new CertsException("this Java runtime lacks the EC curve " + name, e);
        }
    }

    private static void requireMatch(PrivateKey key, List<X509Certificate> chain, String certName, String keyName) {
        if (KeyMatch.matches(key, chain.get(0).getPublicKey())) {
            return;
        }
        for (int i = 1; i < chain.size(); i++) {
            if (KeyMatch.matches(key, chain.get(i).getPublicKey())) {
                throw new IdentityException(Source.CERTIFICATE_AND_KEY, "certificate and key do not match: the key in "
                        + keyName + " belongs to certificate " + (i + 1) + " of " + certName
                        + "; put the server (leaf) certificate first");
            }
        }
        throw new IdentityException(Source.CERTIFICATE_AND_KEY, "certificate and key do not match: the key in "
                + keyName + " is not the key of " + chain.get(0).getSubjectX500Principal().getName() + " in "
                + certName);
    }

    /** An in-memory PKCS#12 key store with one key entry. */
    public static KeyStore store(PrivateKey key, List<X509Certificate> chain, String alias, char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(alias, key, password, chain.toArray(Certificate[]::new));
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new CertsException("cannot build the in-memory key store: " + e.getMessage(), e);
        }
    }
}
