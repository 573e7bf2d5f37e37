package org.masquerelay.interop.cli;

import org.masquerelay.interop.profile.MobileConfig;
import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.config.RelayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code interop apple-profile}: a .mobileconfig for the relay, from the relay's own configuration file. */
@Command(name = "apple-profile", mixinStandardHelpOptions = true,
        description = "Write a configuration profile (com.apple.relay.managed + root certificate) for Apple devices.")
public final class AppleProfileCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "the relay's YAML configuration (policy domains, auth)")
    Path config;

    @Option(names = "--relay-url", required = true, description = "https URL devices use, e.g. https://relay.example.com:443/")
    URI relayUrl;

    @Option(names = "--ca", description = "the private root the relay certificate chains to (PEM); omit under a public CA")
    Path ca;

    @Option(names = {"-o", "--output"}, description = "output file (default: relay.mobileconfig)")
    Path output = Path.of("relay.mobileconfig");

    @Override
    public Integer call() throws Exception {
        Files.writeString(output, build(RelayConfig.load(config), relayUrl, ca).toXml());
        System.out.println("wrote " + output.toAbsolutePath() + ": open it on the Mac (System Settings, Profiles) or send it by MDM");
        return 0;
    }

    /** Domains and FQDNs come from the relay's policy; the credential (if any) becomes an extra header. */
    public static MobileConfig build(RelayConfig config, URI relayUrl, Path ca) throws Exception {
        if (!"https".equalsIgnoreCase(relayUrl.getScheme())) {
            throw new IllegalArgumentException("Apple's client needs an https:// relay URL, got " + relayUrl);
        }
        DomainPolicy domains = config.policy().domains();
        Map<String, String> headers = new LinkedHashMap<>();
        config.auth().ifPresent((AuthConfig auth) -> headers.put(auth.header(), auth.credentials().get(0)));
        X509Certificate root = null;
        if (ca != null) {
            try (InputStream in = Files.newInputStream(ca)) {
                root = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
        }
        String id = "org.masquerelay." + relayUrl.getHost().replaceAll("[^A-Za-z0-9.-]", "-");
        return new MobileConfig(relayUrl.toString(), headers, domains.matchDomains(), domains.excludedDomains(),
                domains.matchFQDNs(), domains.excludedFQDNs(), root, id);
    }
}
