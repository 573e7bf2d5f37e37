package org.masquerelay.tools.apple;

import org.masquerelay.server.certs.CertificateCheck;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Trust evaluation as Apple's client does it: the chain must lead to the installed (fully trusted) root, and the leaf
 * must pass Apple's TLS rules ({@link CertificateCheck}: host in subjectAltName, IP SAN for IP URLs, serverAuth EKU,
 * validity limits, key sizes, SHA-2). A failure aborts the handshake with a TLS alert, like on the device, and is kept
 * here so the profile can say which NERelay error the user would see. The chain is recorded either way, for the
 * doctor's certificate lines.
 */
public final class AppleTrust implements X509TrustManager {
    private final X509Certificate root;
    private final String host;
    private final X509TrustManager pkix;
    private volatile List<X509Certificate> presented = List.of();
    private volatile AppleOutcome failure;

    /**
     * @param root the root installed on the device; null means the JDK's roots stand in for the system roots
     * @param host the host of the relay URL (name or IP literal)
     */
    public AppleTrust(X509Certificate root, String host) {
        this.root = root;
        this.host = host;
        this.pkix = pkixTrusting(root);
    }

    private static X509TrustManager pkixTrusting(X509Certificate root) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            return Arrays.stream(factory.getTrustManagers()).filter(X509TrustManager.class::isInstance)
                    .map(X509TrustManager.class::cast).findFirst().orElseThrow();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up trust evaluation: " + e, e);
        }
    }

    /**
     * Path validation to the installed root (or the JDK's roots standing in for the system's). Done with a plain
     * PKIX CertPathValidator rather than the JSSE trust manager, whose key-usage checks depend on a TLS 1.2
     * authType that a TLS 1.3 stack does not meaningfully pass.
     */
    private void validatePath(X509Certificate[] chain) throws GeneralSecurityException {
        java.util.Set<java.security.cert.TrustAnchor> anchors = new java.util.HashSet<>();
        if (root != null) {
            anchors.add(new java.security.cert.TrustAnchor(root, null));
        } else {
            for (X509Certificate c : pkix.getAcceptedIssuers()) {
                anchors.add(new java.security.cert.TrustAnchor(c, null));
            }
        }
        // The path excludes any root the server sent along: the anchor stands for it.
        List<X509Certificate> path = new java.util.ArrayList<>(List.of(chain));
        while (path.size() > 1 && anchors.stream().anyMatch(a -> a.getTrustedCert().equals(path.get(path.size() - 1)))) {
            path.remove(path.size() - 1);
        }
        java.security.cert.PKIXParameters params = new java.security.cert.PKIXParameters(anchors);
        params.setRevocationEnabled(false);
        java.security.cert.CertPathValidator.getInstance("PKIX").validate(
                java.security.cert.CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        presented = List.of(chain);
        // Under a private, installed root Apple allows 825 days; the 398-day rule is for public roots only.
        List<CertificateCheck.Problem> problems = CertificateCheck.check(List.of(chain), host, root).stream()
                .filter(p -> root == null || p.kind() != CertificateCheck.Kind.VALIDITY_OVER_398_DAYS)
                .toList();
        if (problems.stream().anyMatch(p -> p.kind() == CertificateCheck.Kind.EXPIRED)) {
            fail(AppleOutcome.Kind.SERVER_CERTIFICATE_EXPIRED, problems.get(0).message());
        }
        if (!problems.isEmpty()) {
            fail(AppleOutcome.Kind.SERVER_CERTIFICATE_INVALID, problems.get(0).message()
                    + (problems.size() > 1 ? " (+" + (problems.size() - 1) + " more)" : ""));
        }
        try {
            validatePath(chain);
        } catch (GeneralSecurityException e) {
            fail(AppleOutcome.Kind.SERVER_CERTIFICATE_INVALID, "the chain does not lead to the installed root: "
                    + e.getMessage());
        }
    }

    private void fail(AppleOutcome.Kind kind, String message) throws CertificateException {
        failure = new AppleOutcome(kind, message);
        throw new CertificateException(message);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a relay client does not accept client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return root == null ? pkix.getAcceptedIssuers() : new X509Certificate[]{root};
    }

    /** The chain the relay presented, leaf first; empty if the handshake never got that far. */
    public List<X509Certificate> presentedChain() {
        return presented;
    }

    /** The certificate error the client would show, if trust evaluation failed. */
    public Optional<AppleOutcome> failure() {
        return Optional.ofNullable(failure);
    }

    public X509Certificate root() {
        return root;
    }
}
