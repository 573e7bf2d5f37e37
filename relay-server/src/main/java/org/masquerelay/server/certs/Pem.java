package org.masquerelay.server.certs;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Reads and writes PEM certificates and private keys. Keys are written as PKCS#8 with owner-only permissions. */
final class Pem {

    private Pem() {
    }

    static String certificates(List<X509Certificate> certificates) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (X509Certificate c : certificates) {
                w.writeObject(c);
            }
        } catch (IOException e) {
            throw new CertsException("cannot encode certificate: " + e.getMessage(), e);
        }
        return out.toString();
    }

    /** PKCS#8 ("BEGIN PRIVATE KEY"), which every TLS stack reads. */
    static String pkcs8(PrivateKey key) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new CertsException("cannot encode private key: " + e.getMessage(), e);
        }
        return out.toString();
    }

    static void writeCertificates(Path file, List<X509Certificate> certificates) {
        write(file, certificates(certificates), false);
    }

    static void writePrivateKey(Path file, PrivateKey key) {
        write(file, pkcs8(key), true);
    }

    /** Replaces the file; a secret is created with mode 0600 before any byte of it is written. */
    static void write(Path file, String text, boolean secret) {
        try {
            Files.deleteIfExists(file);
            if (secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
                w.write(text);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CertsException("cannot write " + file + ": it appeared while being replaced", e);
        } catch (IOException e) {
            throw new CertsException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every certificate in the file, in file order; other PEM blocks are skipped. */
    static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(converter.getCertificate(h));
                }
            }
        } catch (CertificateException e) {
            throw new IOException("a certificate in it cannot be decoded: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The first private key in the file: PKCS#8 ("BEGIN PRIVATE KEY") or traditional ("BEGIN EC PRIVATE KEY",
     * "BEGIN RSA PRIVATE KEY"); other blocks (such as "EC PARAMETERS") are skipped. Null if there is none.
     *
     * @throws IOException with an explanation for encrypted keys, which would need a passphrase at every start
     */
    static PrivateKey readPrivateKey(Path file) throws IOException {
        // The JDK provider (not BC's) builds the key objects, so the TLS stack sees ordinary SunEC/SunRsaSign keys.
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    // Only the private part: a SEC1 key may omit its public key, which getKeyPair would need.
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
                    throw new IOException("the private key is encrypted; store it unencrypted with owner-only"
                            + " permissions (openssl pkey -in " + file + " -out key.pem)");
                }
            }
        }
        return null;
    }
}
