package org.masquerelay.server.certs;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.masquerelay.wire.IpLiteral;

/**
 * Checks a server certificate chain against Apple's TLS trust rules and lists every problem, so an operator learns
 * all of them at once instead of one failed handshake (TLS alert 42) at a time.
 */
public final class CertificateCheck {

    /** The kinds of problem found; each makes Apple's client refuse the relay, except where noted. */
    public enum Kind {
        /** The host is not among the subjectAltName DNS entries (Apple ignores the CN). */
        HOST_NOT_IN_SAN,
        /** The host is an IP address and no iPAddress subjectAltName holds it. */
        IP_HOST_WITHOUT_IP_SAN,
        /** No extended key usage, or one without serverAuth. */
        MISSING_SERVER_AUTH_EKU,
        /** Valid for more than 398 days: refused under public roots; a private root still allows up to 825. */
        VALIDITY_OVER_398_DAYS,
        /** Valid for more than 825 days: refused under any root. */
        VALIDITY_OVER_825_DAYS,
        EXPIRED,
        NOT_YET_VALID,
        RSA_KEY_TOO_SMALL,
        /** SHA-1 (or MD5) signature. */
        WEAK_SIGNATURE,
        /** A certificate of the chain is not signed by the next one. */
        CHAIN_BROKEN,
        /** The top of the chain is not the given CA nor signed by it. */
        NOT_SIGNED_BY_CA
    }

    /** One problem, with a sentence saying what is wrong with which certificate. */
    public record Problem(Kind kind, String message) {
    }

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;
    /** Apple applies the 825-day rule to certificates issued from this date and the 398-day rule from the next. */
    private static final Instant RULE_825_FROM = Instant.parse("2019-07-01T00:00:00Z");
    private static final Instant RULE_398_FROM = Instant.parse("2020-09-01T00:00:00Z");

    private CertificateCheck() {
    }

    /** As {@link #check(List, String, X509Certificate, Instant)} at the present time. */
    public static List<Problem> check(List<X509Certificate> chain, String host, X509Certificate ca) {
        return check(chain, host, ca, Instant.now());
    }

    /**
     * @param chain the server's chain, leaf first (the CA itself may end it)
     * @param host  the host clients connect to (a name or IP literal), or null to skip the name checks
     * @param ca    the CA the chain must lead to, or null to skip that check
     * @param now   the time to check validity at
     * @return every problem found; empty when Apple's client should accept the certificate
     */
    public static List<Problem> check(List<X509Certificate> chain, String host, X509Certificate ca, Instant now) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no certificate to check");
        }
        List<Problem> problems = new ArrayList<>();
        X509Certificate leaf = chain.get(0);
        if (host != null) {
            checkHost(leaf, host, problems);
        }
        checkServerAuth(leaf, problems);
        checkValidityPeriod(leaf, problems);
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            checkDates(c, label(i, c), now, problems);
            checkKey(c, label(i, c), problems);
            if (!isSelfSigned(c)) {
                // A root's own signature is never checked by clients, so a SHA-1 self-signature is harmless.
                checkSignatureAlgorithm(c, label(i, c), problems);
            }
            if (i + 1 < chain.size() && !signedBy(c, chain.get(i + 1))) {
                problems.add(new Problem(Kind.CHAIN_BROKEN, label(i, c) + " is not signed by the next certificate, "
                        + label(i + 1, chain.get(i + 1)) + "; order the chain leaf first, each followed by its issuer"));
            }
        }
        if (ca != null) {
            X509Certificate top = chain.get(chain.size() - 1);
            if (!top.equals(ca) && !signedBy(top, ca)) {
                problems.add(new Problem(Kind.NOT_SIGNED_BY_CA, label(chain.size() - 1, top) + " is not signed by the CA "
                        + ca.getSubjectX500Principal().getName()));
            }
            checkKey(ca, "the CA", problems);
        }
        return problems;
    }

    private static void checkHost(X509Certificate leaf, String host, List<Problem> problems) {
        String h = SubjectAltNames.canonical(host);
        List<String> dnsNames = new ArrayList<>();
        List<byte[]> ips = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
                int type = (Integer) san.get(0);
                if (type == SAN_DNS) {
                    dnsNames.add(((String) san.get(1)).toLowerCase(Locale.ROOT));
                } else if (type == SAN_IP) {
                    byte[] ip = IpLiteral.parse((String) san.get(1));
                    if (ip != null) {
                        ips.add(ip);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            problems.add(new Problem(Kind.HOST_NOT_IN_SAN, "the subjectAltName extension cannot be parsed: "
                    + e.getMessage()));
            return;
        }
        byte[] hostIp = IpLiteral.parse(h);
        if (hostIp != null) {
            if (ips.stream().noneMatch(ip -> Arrays.equals(ip, hostIp))) {
                problems.add(new Problem(Kind.IP_HOST_WITHOUT_IP_SAN, "the host " + h + " is an IP address but no"
                        + " iPAddress subjectAltName holds it" + (dnsNames.contains(h)
                        ? " (it is listed as a DNS name, which Apple does not match against an IP)" : "")));
            }
            return;
        }
        if (dnsNames.stream().noneMatch(name -> dnsMatches(name, h))) {
            problems.add(new Problem(Kind.HOST_NOT_IN_SAN, "the host " + h + " is not in subjectAltName "
                    + (dnsNames.isEmpty() ? "(it has no DNS names)" : dnsNames)
                    + "; Apple ignores the CN, so the name must be a subjectAltName"));
        }
    }

    /** Exact, or a wildcard covering exactly one leftmost label. */
    static boolean dnsMatches(String pattern, String host) {
        String p = pattern.endsWith(".") ? pattern.substring(0, pattern.length() - 1) : pattern;
        if (p.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot + 1).equals(p.substring(2));
        }
        return p.equals(host);
    }

    private static void checkServerAuth(X509Certificate leaf, List<Problem> problems) {
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku == null || !eku.contains(SERVER_AUTH)) {
                problems.add(new Problem(Kind.MISSING_SERVER_AUTH_EKU, "the server certificate "
                        + (eku == null ? "has no extended key usage" : "has extended key usage " + eku
                        + " without") + " serverAuth (1.3.6.1.5.5.7.3.1), which Apple requires"));
            }
        } catch (CertificateParsingException e) {
            problems.add(new Problem(Kind.MISSING_SERVER_AUTH_EKU, "the extended key usage cannot be parsed: "
                    + e.getMessage()));
        }
    }

    private static void checkValidityPeriod(X509Certificate leaf, List<Problem> problems) {
        Instant from = leaf.getNotBefore().toInstant();
        Duration period = Duration.between(from, leaf.getNotAfter().toInstant());
        long days = period.toDays();
        if (period.compareTo(Duration.ofDays(825)) > 0 && !from.isBefore(RULE_825_FROM)) {
            problems.add(new Problem(Kind.VALIDITY_OVER_825_DAYS, "the server certificate is valid for " + days
                    + " days; Apple refuses more than 825 under any root (re-issue it for 397 days)"));
        } else if (period.compareTo(Duration.ofDays(398)) > 0 && !from.isBefore(RULE_398_FROM)) {
            problems.add(new Problem(Kind.VALIDITY_OVER_398_DAYS, "the server certificate is valid for " + days
                    + " days; Apple refuses more than 398 when the root is a public CA (a private root allows 825)"));
        }
    }

    private static void checkDates(X509Certificate c, String label, Instant now, List<Problem> problems) {
        if (now.isAfter(c.getNotAfter().toInstant())) {
            problems.add(new Problem(Kind.EXPIRED, label + " expired on " + c.getNotAfter().toInstant()));
        }
        if (now.isBefore(c.getNotBefore().toInstant())) {
            problems.add(new Problem(Kind.NOT_YET_VALID, label + " is not valid before "
                    + c.getNotBefore().toInstant() + " (check this machine's clock, or the one that issued it)"));
        }
    }

    private static void checkKey(X509Certificate c, String label, List<Problem> problems) {
        if (c.getPublicKey() instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
            problems.add(new Problem(Kind.RSA_KEY_TOO_SMALL, label + " has a " + rsa.getModulus().bitLength()
                    + "-bit RSA key; Apple needs 2048 bits or more"));
        }
    }

    private static void checkSignatureAlgorithm(X509Certificate c, String label, List<Problem> problems) {
        String alg = c.getSigAlgName().toUpperCase(Locale.ROOT);
        if (alg.contains("SHA1") || alg.contains("SHA-1") || alg.contains("MD5") || alg.contains("MD2")) {
            problems.add(new Problem(Kind.WEAK_SIGNATURE, label + " is signed with " + c.getSigAlgName()
                    + "; Apple requires SHA-2 (e.g. SHA256withECDSA)"));
        }
    }

    private static boolean isSelfSigned(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && signedBy(c, c);
    }

    private static boolean signedBy(X509Certificate c, X509Certificate issuer) {
        try {
            c.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String label(int index, X509Certificate c) {
        return (index == 0 ? "the server certificate" : "chain certificate " + (index + 1)) + " ("
                + c.getSubjectX500Principal().getName() + ")";
    }
}
