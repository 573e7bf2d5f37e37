package org.masquerelay.server.certs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * A private certificate authority for relays that are not under a public CA: its {@code ca.pem} is installed and
 * fully trusted on the devices (Settings, General, About, Certificate Trust Settings on iOS), and it signs the relay's
 * server certificate.
 *
 * @param certificate the self-signed CA certificate
 * @param privateKey  its key
 * @param directory   the folder holding {@code ca.pem} and {@code ca-key.pem}
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey privateKey, Path directory) {

    public static final String CERTIFICATE_FILE = "ca.pem";
    public static final String KEY_FILE = "ca-key.pem";
    /** Ten years: the root outlives many server certificates, which are re-issued every 397 days at most. */
    public static final Duration VALIDITY = Duration.ofDays(3653);

    public CertificateAuthority {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    public Path certificatePath() {
        return directory.resolve(CERTIFICATE_FILE);
    }

    public Path keyPath() {
        return directory.resolve(KEY_FILE);
    }

    /** True if the folder already holds a CA certificate or key. */
    public static boolean existsIn(Path directory) {
        return Files.exists(directory.resolve(CERTIFICATE_FILE)) || Files.exists(directory.resolve(KEY_FILE));
    }

    /**
     * Creates a new ECDSA P-256 CA and writes {@code ca.pem} and {@code ca-key.pem} (PKCS#8, owner-only).
     *
     * @param force replace an existing CA; without it an existing CA is an error, because every device that trusts
     *              it and every certificate it signed would stop working
     */
    public static CertificateAuthority create(Path directory, boolean force) {
        return create(directory, force, Clock.systemUTC());
    }

    static CertificateAuthority create(Path directory, boolean force, Clock clock) {
        if (existsIn(directory) && !force) {
            throw new CertsException("a CA already exists in " + directory + " (" + CERTIFICATE_FILE + ", " + KEY_FILE
                    + "); not overwriting it, because devices that trust it and the certificates it signed would"
                    + " stop working. Use force (--force) to replace it, then install the new " + CERTIFICATE_FILE
                    + " on every device");
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new CertsException("cannot create folder " + directory + ": " + e.getMessage(), e);
        }
        KeyPair keys = KeyType.EC_P256.generate();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        CertificateBuilder b = new CertificateBuilder();
        // A random suffix tells apart the CAs of several relays once installed side by side on one device.
        String id = HexFormat.of().formatHex(keys.getPublic().getEncoded(), keys.getPublic().getEncoded().length - 4,
                keys.getPublic().getEncoded().length);
        b.subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "MASQUE relay")
                .addRDN(BCStyle.CN, "MASQUE relay private CA " + id)
                .build();
        b.publicKey = keys.getPublic();
        b.notBefore = now.minus(Duration.ofHours(1));
        b.notAfter = now.plus(VALIDITY);
        b.ca = true;
        b.keyUsage = KeyUsage.keyCertSign | KeyUsage.cRLSign;
        b.signingKey = keys.getPrivate();
        X509Certificate cert = b.build();
        CertificateAuthority ca = new CertificateAuthority(cert, keys.getPrivate(), directory);
        Pem.writePrivateKey(ca.keyPath(), keys.getPrivate());
        Pem.writeCertificates(ca.certificatePath(), List.of(cert));
        return ca;
    }

    /** Loads {@code ca.pem} and {@code ca-key.pem} from the folder. */
    public static CertificateAuthority load(Path directory) {
        Path certFile = directory.resolve(CERTIFICATE_FILE);
        Path keyFile = directory.resolve(KEY_FILE);
        if (!Files.exists(certFile) || !Files.exists(keyFile)) {
            throw new CertsException("no CA in " + directory + ": expected both " + CERTIFICATE_FILE + " and "
                    + KEY_FILE);
        }
        List<X509Certificate> certs;
        PrivateKey key;
        try {
            certs = Pem.readCertificates(certFile);
            key = Pem.readPrivateKey(keyFile);
        } catch (IOException e) {
            throw new CertsException("cannot read the CA in " + directory + ": " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new CertsException(certFile + " holds no certificate");
        }
        if (key == null) {
            throw new CertsException(keyFile + " holds no private key");
        }
        if (!KeyMatch.matches(key, certs.get(0).getPublicKey())) {
            throw new CertsException("CA certificate and key do not match: " + keyFile + " is not the key of "
                    + certFile);
        }
        return new CertificateAuthority(certs.get(0), key, directory);
    }
}
