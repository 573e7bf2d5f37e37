package org.masquerelay.interop.cli;

import org.masquerelay.interop.doctor.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code interop doctor}: probes a live relay as Apple's client would and prints a checklist with fixes. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Probe a live relay with the Apple client profile and print what Apple's client would report.")
public final class DoctorCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "relay URL, e.g. https://relay.example.com:443/")
    URI url;

    @Option(names = "--ca", description = "the root installed on the devices (PEM); default: the system roots")
    Path ca;

    @Option(names = "--header", description = "extra header sent on every CONNECT, 'name: value' (repeatable)")
    List<String> headers = new ArrayList<>();

    @Option(names = "--tcp-target", description = "host:port for a classic CONNECT (a TCP echo target is best)")
    String tcpTarget;

    @Option(names = "--udp-target", description = "host:port for connect-udp (a UDP echo target)")
    String udpTarget;

    @Override
    public Integer call() throws Exception {
        Doctor.Report report = Doctor.examine(Doctor.Request.parse(url, ca, headers, tcpTarget, udpTarget));
        report.print(System.out);
        return report.allPassed() ? 0 : 1;
    }
}
