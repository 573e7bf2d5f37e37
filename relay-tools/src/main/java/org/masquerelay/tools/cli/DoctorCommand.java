package org.masquerelay.tools.cli;

import org.masquerelay.tools.doctor.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code relay-tools doctor} (also {@code interop doctor}): probes a live relay as Apple's client would and prints a checklist with fixes. */
@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Probes a live relay with the Apple client profile and prints what Apple's client would report.",
                "Each failure comes with the errno or error Apple's client shows and the fix. Exit status 1 when a check fails."})
public final class DoctorCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL", description = "The relay URL, e.g. https://relay.example.com:443/.")
    String url;

    @Option(names = "--proxy-cacert", paramLabel = "FILE", description = "The root installed on the devices (PEM), as relay-client's"
            + " --proxy-cacert; default: the system roots.")
    Path ca;

    /** The name of earlier versions. */
    @Option(names = "--ca", hidden = true)
    void legacyCa(Path file) {
        ca = file;
    }

    @Option(names = "--proxy-header", paramLabel = "'Name: value'", description = "Extra header on every CONNECT, as relay-client's"
            + " --proxy-header (Apple's additionalHTTPHeaderFields), e.g. 'authorization: Bearer ...' (repeatable).")
    List<String> headers = new ArrayList<>();

    /** The name of earlier versions. */
    @Option(names = "--header", hidden = true)
    void legacyHeader(String line) {
        headers.add(line);
    }

    @Option(names = "--tcp-target", paramLabel = "HOST:PORT", description = "Target of a classic CONNECT (a TCP echo target is best).")
    String tcpTarget;

    @Option(names = "--udp-target", paramLabel = "HOST:PORT", description = "Target of a connect-udp request (a UDP echo target).")
    String udpTarget;

    @Override
    public Integer call() throws Exception {
        if (ca != null && !Files.isRegularFile(ca)) {
            throw new IllegalArgumentException("--proxy-cacert " + ca + ": no such file");
        }
        Doctor.Report report = Doctor.examine(Doctor.Request.parse(relayUrl(url), ca, headers, tcpTarget, udpTarget));
        report.print(System.out);
        return report.allPassed() ? 0 : 1;
    }

    /** The relay URL; Apple's client only speaks https, so anything else is a mistake worth a suggestion. */
    static URI relayUrl(String text) {
        String suggestion = text.contains("://") ? "" : " (did you mean https://" + text + (text.endsWith("/") ? "" : "/") + "?)";
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL" + suggestion);
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("the relay URL must be https://host[:port]/ (Apple's client only uses https),"
                    + " not '" + text + "'" + suggestion);
        }
        return uri;
    }
}
