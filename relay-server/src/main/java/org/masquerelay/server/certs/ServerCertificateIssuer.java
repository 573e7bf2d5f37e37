package org.masquerelay.server.certs;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Issues relay server certificates that pass Apple's TLS trust rules: hosts in subjectAltName (IP literals as
 * iPAddress), EKU serverAuth, at most 398 days, RSA 2048+ or ECDSA, SHA-256 signatures.
 */
public final class ServerCertificateIssuer {

    /** Apple refuses longer validity under public roots; private roots allow 825 days, but 398 works everywhere. */
    public static final int MAX_VALIDITY_DAYS = 398;
    /** One day under the limit, so rounding in anyone's date arithmetic cannot push it over. */
    public static final int DEFAULT_VALIDITY_DAYS = 397;
    /** Back-dating covers clients whose clocks run a little behind. */
    public static final Duration BACKDATE = Duration.ofHours(1);

    /**
     * @param keyType      the leaf's key type
     * @param validityDays 1..398
     */
    public record Options(KeyType keyType, int validityDays) {
        public Options {
            Objects.requireNonNull(keyType, "keyType");
            if (validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
                throw new CertsException("validity must be 1.." + MAX_VALIDITY_DAYS + " days (Apple refuses longer"
                        + " server certificates), got " + validityDays);
            }
        }

        /** ECDSA P-256, 397 days. */
        public static Options defaults() {
            return new Options(KeyType.EC_P256, DEFAULT_VALIDITY_DAYS);
        }
    }

    private final Clock clock;

    public ServerCertificateIssuer() {
        this(Clock.systemUTC());
    }

    public ServerCertificateIssuer(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param hosts DNS names and IP literals the relay is reached by; the first also becomes the CN
     */
    public IssuedCertificate issue(CertificateAuthority ca, List<String> hosts, Options options) {
        CertificateBuilder b = new CertificateBuilder();
        b.subjectAltNames.addAll(SubjectAltNames.of(hosts));
        KeyPair keys = options.keyType().generate();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        // CN is ignored by Apple (subjectAltName decides) but tools and humans read it.
        b.subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, SubjectAltNames.canonical(hosts.get(0)))
                .build();
        b.publicKey = keys.getPublic();
        b.notBefore = now.minus(BACKDATE);
        b.notAfter = b.notBefore.plus(Duration.ofDays(options.validityDays()));
        b.ca = false;
        // RSA key exchange needs keyEncipherment; ECDSA only signs.
        b.keyUsage = KeyUsage.digitalSignature | (options.keyType().isRsa() ? KeyUsage.keyEncipherment : 0);
        b.serverAuth = true;
        b.issuer = ca.certificate();
        b.signingKey = ca.privateKey();
        X509Certificate leaf = b.build();
        return new IssuedCertificate(List.of(leaf, ca.certificate()), keys.getPrivate());
    }
}
