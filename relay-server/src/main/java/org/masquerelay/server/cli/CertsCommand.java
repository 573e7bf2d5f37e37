package org.masquerelay.server.cli;

import org.masquerelay.server.certs.CertificateTool;
import org.masquerelay.server.certs.KeyType;
import org.masquerelay.server.certs.ServerCertificateIssuer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "certs", mixinStandardHelpOptions = true,
        description = {"Makes a private CA (once) and a server certificate that passes Apple's TLS trust rules.",
                "The hosts go in subjectAltName (IP SANs for IP literals), with EKU serverAuth, at most 398 days,"
                        + " ECDSA P-256 (or RSA 2048) and SHA-256.",
                "An existing CA in the folder is reused, never overwritten unless --force is given."})
final class CertsCommand implements Callable<Integer> {

    @Option(names = "--dir", required = true, description = "output folder (ca.pem, ca-key.pem, server.pem, server-key.pem)")
    Path dir;

    @Option(names = "--host", required = true, description = "a DNS name or IP literal the relay is reached by; repeatable")
    List<String> hosts;

    @Option(names = "--force", description = "replace an existing CA (devices that trusted the old one stop trusting the relay)")
    boolean force;

    @Option(names = "--rsa", description = "RSA 2048 instead of ECDSA P-256")
    boolean rsa;

    @Override
    public Integer call() {
        ServerCertificateIssuer.Options defaults = ServerCertificateIssuer.Options.defaults();
        ServerCertificateIssuer.Options options = rsa ? new ServerCertificateIssuer.Options(KeyType.RSA_2048, defaults.validityDays()) : defaults;
        CertificateTool.Result result = CertificateTool.create(dir, hosts, force, options);
        System.out.println(result.caCreated() ? "Created a new CA: " + result.caCertificate() : "Reused the CA in " + dir);
        System.out.println("Server certificate for " + String.join(", ", hosts) + ": " + result.serverCertificate()
                + " (key " + result.serverKey() + ")");
        System.out.println("Install and fully trust " + result.caCertificate() + " on client devices (on a Mac: Keychain Access, 'Always Trust').");
        return 0;
    }
}
