package org.masquerelay.tools.cli;

import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.config.ConfigLoader;
import org.masquerelay.server.config.RelayConfig;
import org.masquerelay.tools.profile.MobileConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code relay-tools apple-profile} (also {@code interop apple-profile}): a .mobileconfig for the relay, from the relay's own configuration file. */
@Command(name = "apple-profile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a configuration profile (com.apple.relay.managed and the root certificate) for Apple devices.",
                "Domains and FQDNs come from the relay's policy, the credential (if any) from its auth section; its TLS"
                        + " files are not needed."})
public final class AppleProfileCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The relay's YAML configuration (see configs/).")
    Path config;

    @Option(names = "--relay-url", required = true, paramLabel = "URL", description = "The https URL devices use, e.g. https://relay.example.com:443/.")
    URI relayUrl;

    @Option(names = "--proxy-cacert", paramLabel = "FILE", description = "The private root the relay's certificate chains to (PEM),"
            + " as relay-client's --proxy-cacert; leave it out under a public CA.")
    Path ca;

    /** The name of earlier versions. */
    @Option(names = "--ca", hidden = true)
    void legacyCa(Path file) {
        ca = file;
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Output file (default: ${DEFAULT-VALUE}).")
    Path output = Path.of("relay.mobileconfig");

    @Override
    public Integer call() throws Exception {
        MobileConfig profile = build(ConfigLoader.loadWithoutTls(config), relayUrl, ca);
        boolean secret = !profile.extraHeaders().isEmpty();
        write(output, profile.toXml(), secret);
        System.out.println("wrote " + output.toAbsolutePath() + ": open it on the Mac (System Settings, Profiles) or send it by MDM");
        if (secret) {
            System.out.println("note: it holds the relay's credential (" + String.join(", ", profile.extraHeaders().keySet())
                    + " header): it is readable by you only (0600); send it over a channel you trust, and delete copies you do not need");
        }
        return 0;
    }

    /**
     * Writes the profile; one holding a credential is created readable by its owner only, never briefly readable by
     * others (the permissions are set when the file is created).
     */
    static void write(Path file, String xml, boolean secret) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (!secret || !posix) {
            Files.write(file, bytes);
            return;
        }
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Domains and FQDNs come from the relay's policy; the credential (if any) becomes an extra header. */
    public static MobileConfig build(RelayConfig config, URI relayUrl, Path ca) throws IOException {
        if (!"https".equalsIgnoreCase(relayUrl.getScheme()) || relayUrl.getHost() == null) {
            throw new IllegalArgumentException("Apple's client needs an https://host[:port]/ relay URL, got " + relayUrl);
        }
        DomainPolicy domains = config.policy().domains();
        Map<String, String> headers = new LinkedHashMap<>();
        config.auth().filter(AuthConfig::checksCredentials)
                .ifPresent(auth -> headers.put(auth.header(), auth.credentials().get(0)));
        X509Certificate root = null;
        if (ca != null) {
            try (InputStream in = Files.newInputStream(ca)) {
                root = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IllegalArgumentException("--proxy-cacert " + ca + ": no such file");
            } catch (CertificateException e) {
                throw new IllegalArgumentException("--proxy-cacert " + ca + " is not a PEM certificate: " + e.getMessage());
            }
        }
        String id = "org.masquerelay." + relayUrl.getHost().replaceAll("[^A-Za-z0-9.-]", "-");
        return new MobileConfig(relayUrl.toString(), headers, domains.matchDomains(), domains.excludedDomains(),
                domains.matchFQDNs(), domains.excludedFQDNs(), root, id);
    }
}
