package org.masquerelay.tools.cli;

import org.masquerelay.policy.DomainPolicy;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.config.ConfigLoader;
import org.masquerelay.server.config.RelayConfig;
import org.masquerelay.tools.profile.MobileConfig;
import org.masquerelay.tools.profile.RelayDeclaration;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code relay-tools apple-profile} (also {@code interop apple-profile}): a .mobileconfig and/or the OS 27 declarative
 * configuration for the relay, from the relay's own configuration file.
 */
@Command(name = "apple-profile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a configuration profile (com.apple.relay.managed and the root certificate) and/or the OS 27"
                + " declarative configuration (com.apple.configuration.network.relay, JSON) for Apple devices.",
                "Domains and FQDNs come from the relay's policy, the credential (if any) from its auth section, HTTP2RelayURL"
                        + " (same URL as HTTP3RelayURL) from its TCP listener (tcp-listen); its TLS files are not needed."})
public final class AppleProfileCommand implements Callable<Integer> {
    /** Which files to write. */
    public enum Format { mobileconfig, declarative, both }

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The relay's YAML configuration (see configs/).")
    Path config;

    @Option(names = "--relay-url", required = true, paramLabel = "URL", description = "The https URL devices use, e.g."
            + " https://relay.example.com:443/; twice for a chain of two relays (hop 1, then hop 2), both running this configuration.")
    List<URI> relayUrls = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", description = "mobileconfig (-o), declarative (--declaration-output)"
            + " or both (default: ${DEFAULT-VALUE}).")
    Format format = Format.mobileconfig;

    @Option(names = "--declaration-output", paramLabel = "FILE", description = "Where the declarative configuration (JSON) goes"
            + " (default: ${DEFAULT-VALUE}).")
    Path declarationOutput = Path.of("relay-declaration.json");

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
        RelayConfig relay = ConfigLoader.loadWithoutTls(config);
        MobileConfig profile = build(relay, relayUrls, ca);
        Map<String, String> headers = profile.hops().get(0).headers();
        boolean secret = !headers.isEmpty();
        if (format != Format.declarative) {
            write(output, profile.toXml(), secret);
            System.out.println("wrote " + output.toAbsolutePath() + ": open it on the Mac (System Settings, Profiles) or send it by MDM");
        }
        if (format != Format.mobileconfig) {
            write(declarationOutput, declaration(profile).toJson(), secret);
            System.out.println("wrote " + declarationOutput.toAbsolutePath() + ": the " + RelayDeclaration.TYPE
                    + " declaration for an MDM server (OS 27)" + (profile.root() == null ? ""
                    : "; the root certificate is not in it: install it with the .mobileconfig or a certificate asset"));
        }
        differentTcpPort(relay).ifPresent(System.out::println);
        if (profile.hops().get(0).http2Url() == null) {
            System.out.println("note: no HTTP2RelayURL: the relay's configuration turns its TCP listener off (tcp-listen: []),"
                    + " so devices on networks that block UDP get no relay");
        }
        if (secret) {
            System.out.println("note: it holds the relay's credential (" + String.join(", ", headers.keySet())
                    + " header): it is readable by you only (0600); send it over a channel you trust, and delete copies you do not need");
        }
        return 0;
    }

    /**
     * HTTP2RelayURL is written as the HTTP/3 URL, which is right when the TCP listener shares the port number (the
     * default); a tcp-listen on other port numbers needs the operator's eye, since only they know the public port.
     */
    public static Optional<String> differentTcpPort(RelayConfig relay) {
        Set<Integer> udp = relay.listen().stream().map(l -> l.port()).collect(Collectors.toSet());
        Set<Integer> tcp = relay.tcpListenAddresses().stream().map(l -> l.port()).collect(Collectors.toSet());
        return tcp.isEmpty() || tcp.equals(udp) ? Optional.empty()
                : Optional.of("note: tcp-listen uses port(s) " + tcp + ", listen " + udp + ": HTTP2RelayURL is the same URL as"
                        + " HTTP3RelayURL, so edit its port if devices reach the TCP listener on another one");
    }

    /** The declarative form of the same relays, domains and credential. */
    public static RelayDeclaration declaration(MobileConfig profile) {
        return new RelayDeclaration("MASQUE relay " + URI.create(profile.hops().get(0).http3Url()).getHost(), profile.hops(),
                profile.matchDomains(), profile.excludedDomains(), profile.matchFqdns(), profile.excludedFqdns(), profile.identifier());
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

    /**
     * Domains and FQDNs come from the relay's policy; the credential (if any) becomes an extra header; HTTP2RelayURL is
     * the HTTP/3 URL when the relay listens on TCP too (its TCP listener shares the port number unless tcp-listen says
     * otherwise, in which case the operator should check the URL's port).
     */
    public static MobileConfig build(RelayConfig config, List<URI> relayUrls, Path ca) throws IOException {
        if (relayUrls.isEmpty() || relayUrls.size() > 2) {
            throw new IllegalArgumentException("give --relay-url once, or twice for a chain of two relays (Apple's client chains at most two), not "
                    + relayUrls.size() + " times");
        }
        for (URI relayUrl : relayUrls) {
            if (!"https".equalsIgnoreCase(relayUrl.getScheme()) || relayUrl.getHost() == null) {
                throw new IllegalArgumentException("Apple's client needs an https://host[:port]/ relay URL, got " + relayUrl);
            }
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
        boolean tcp = !config.tcpListenAddresses().isEmpty();
        List<RelayDeclaration.Hop> hops = relayUrls.stream()
                .map(u -> new RelayDeclaration.Hop(u.toString(), tcp ? u.toString() : null, headers)).toList();
        String id = "org.masquerelay." + relayUrls.get(0).getHost().replaceAll("[^A-Za-z0-9.-]", "-");
        return new MobileConfig(hops, domains.matchDomains(), domains.excludedDomains(),
                domains.matchFQDNs(), domains.excludedFQDNs(), root, id);
    }
}
