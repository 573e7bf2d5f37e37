package org.masquerelay.server.certs;

import java.nio.file.Path;
import java.util.List;

/** What {@code relay-server certs} does: a private CA (created once, then reused) and a server certificate. */
public final class CertificateTool {

    /**
     * @param caCreated         false when an existing CA was reused
     * @param caCertificate     {@code ca.pem}, to install and trust on devices
     * @param caKey             {@code ca-key.pem}
     * @param serverCertificate {@code server.pem}, leaf + CA
     * @param serverKey         {@code server-key.pem}
     */
    public record Result(boolean caCreated, Path caCertificate, Path caKey, Path serverCertificate, Path serverKey) {

        public List<Path> written() {
            return caCreated ? List.of(caCertificate, caKey, serverCertificate, serverKey)
                    : List.of(serverCertificate, serverKey);
        }
    }

    private CertificateTool() {
    }

    /** ECDSA P-256, 397 days. */
    public static Result create(Path dir, List<String> hosts, boolean force) {
        return create(dir, hosts, force, ServerCertificateIssuer.Options.defaults());
    }

    /**
     * Issues a server certificate for {@code hosts} into {@code dir}, replacing any earlier one. The CA in the folder
     * is reused so devices that already trust it keep working; a new CA is made when there is none, or when
     * {@code force} asks to replace it.
     */
    public static Result create(Path dir, List<String> hosts, boolean force, ServerCertificateIssuer.Options options) {
        // Check the hosts before touching any file, so a typo leaves the folder as it was.
        SubjectAltNames.of(hosts);
        boolean reuse = CertificateAuthority.existsIn(dir) && !force;
        CertificateAuthority ca = reuse ? CertificateAuthority.load(dir) : CertificateAuthority.create(dir, force);
        IssuedCertificate issued = new ServerCertificateIssuer().issue(ca, hosts, options);
        List<Path> files = issued.writeTo(dir);
        return new Result(!reuse, ca.certificatePath(), ca.keyPath(), files.get(0), files.get(1));
    }
}
