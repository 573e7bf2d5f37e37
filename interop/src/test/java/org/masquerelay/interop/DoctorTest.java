package org.masquerelay.interop;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.masquerelay.interop.matrix.InteropEnv;
import org.masquerelay.interop.variants.FaultyRelay;
import org.masquerelay.server.RelayServer;
import org.masquerelay.tools.doctor.Doctor;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The doctor against our relay (every line passes) and against faulty relays (the right line fails, with a fix). */
class DoctorTest {
    static InteropEnv env;

    @BeforeAll
    static void setUp() throws Exception {
        env = new InteropEnv(Files.createTempDirectory("doctor"));
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    private Doctor.Report examine(int port, List<String> headers) throws Exception {
        Doctor.Report report = Doctor.examine(Doctor.Request.parse(URI.create("https://127.0.0.1:" + port + "/"), env.caPem,
                headers, env.tcpEcho.authority(), "127.0.0.1:" + env.udpEcho.port()));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        report.print(new PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
        System.out.println(text);
        return report;
    }

    @Test
    void ourRelayPassesEveryLine() throws Exception {
        try (RelayServer relay = env.startOurRelay()) {
            Doctor.Report report = examine(relay.addresses().get(0).getPort(), List.of("authorization: Bearer interop-secret"));
            assertTrue(report.allPassed(), report.checks().toString());
            assertTrue(report.checks().stream().anyMatch(c -> c.name().equals("classic CONNECT") && c.mark() == Doctor.Mark.PASS));
            assertTrue(report.checks().stream().anyMatch(c -> c.name().equals("connect-udp") && c.mark() == Doctor.Mark.PASS));
        }
    }

    @Test
    void missingCredentialIsExplained() throws Exception {
        try (RelayServer relay = env.startOurRelay()) {
            Doctor.Report report = examine(relay.addresses().get(0).getPort(), List.of());
            assertFalse(report.allPassed());
            assertTrue(report.checks().stream().anyMatch(c -> c.name().equals("classic CONNECT") && c.appleReports().contains("61")));
        }
    }

    @Test
    void finAfterResponseIsError53() throws Exception {
        try (var relay = FaultyRelay.FIN_AFTER_200.start(env.pki)) {
            Doctor.Report report = examine(relay.address().getPort(), List.of());
            assertTrue(report.checks().stream().anyMatch(c -> c.name().equals("classic CONNECT") && c.mark() == Doctor.Mark.FAIL
                    && c.appleReports().contains("53") && c.fix().contains("keep the CONNECT stream open")), report.checks().toString());
        }
    }

    @Test
    void missingH3DatagramAndCertificateProblemsAreListed() throws Exception {
        try (var relay = FaultyRelay.NO_H3_DATAGRAM.start(env.pki)) {
            Doctor.Report report = examine(relay.address().getPort(), List.of());
            assertTrue(report.checks().stream().anyMatch(c -> c.name().equals("SETTINGS: H3_DATAGRAM") && c.mark() == Doctor.Mark.FAIL));
        }
        try (var relay = FaultyRelay.CERT_NO_SERVER_AUTH.start(env.pki)) {
            Doctor.Report report = examine(relay.address().getPort(), List.of());
            assertTrue(report.checks().stream().anyMatch(c -> c.name().equals("certificate") && c.mark() == Doctor.Mark.FAIL
                    && c.appleReports().contains("serverCertificateInvalid") && c.fix().contains("serverAuth")), report.checks().toString());
        }
    }
}
