package org.masquerelay.interop;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.masquerelay.interop.matrix.InteropEnv;
import org.masquerelay.interop.variants.FaultyRelay;
import org.masquerelay.server.RelayServer;
import org.masquerelay.tools.cli.RelayToolsCli;
import org.masquerelay.tools.doctor.Doctor;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        return examine(port, headers, env.tcpEcho.authority());
    }

    private Doctor.Report examine(int port, List<String> headers, String tcpTarget) throws Exception {
        Doctor.Report report = Doctor.examine(Doctor.Request.parse(URI.create("https://127.0.0.1:" + port + "/"), env.caPem,
                headers, tcpTarget, "127.0.0.1:" + env.udpEcho.port()));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        report.print(new PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
        System.out.println(text);
        return report;
    }

    @Test
    void ourRelayPassesEveryLine() throws Exception {
        try (RelayServer relay = env.startOurRelayWithTcpListener()) {
            Doctor.Report report = examine(relay.addresses().get(0).getPort(), List.of("authorization: Bearer interop-secret"));
            assertTrue(report.allPassed(), report.checks().toString());
            assertTrue(report.checks().stream().anyMatch(c -> c.name().equals("classic CONNECT") && c.mark() == Doctor.Mark.PASS));
            assertTrue(report.checks().stream().anyMatch(c -> c.name().equals("connect-udp") && c.mark() == Doctor.Mark.PASS));
            // HTTP2RelayURL: the same host and port over TCP, TLS + ALPN h2, and a tunnel by classic CONNECT over HTTP/2.
            assertEquals(relay.addresses().get(0).getPort(), relay.tcpAddresses().get(0).getPort(), "the TCP listener shares the port");
            assertLine(report, "HTTP/2 TLS, ALPN h2", Doctor.Mark.PASS, "ALPN h2");
            assertLine(report, "HTTP/2 SETTINGS 0x8", Doctor.Mark.PASS, "= 1");
            assertLine(report, "HTTP/2 classic CONNECT", Doctor.Mark.PASS, "tunnel carried bytes back");
            assertLine(report, "HTTP/2 connect-udp", Doctor.Mark.PASS, "datagram echoed in a DATAGRAM capsule");
        }
    }

    @Test
    void withoutTcpTargetClassicConnectIsStillTried() throws Exception {
        try (RelayServer relay = env.startOurRelayWithTcpListener()) {
            Doctor.Report report = examine(relay.addresses().get(0).getPort(), List.of("authorization: Bearer interop-secret"), null);
            assertTrue(report.allPassed(), report.checks().toString());
            // Served (2xx) or served but refused (e.g. 403 with Proxy-Status): either way the method is handled.
            assertLine(report, "classic CONNECT", Doctor.Mark.PASS, "served");
            assertLine(report, "HTTP/2 classic CONNECT", Doctor.Mark.PASS, "served");
        }
    }

    /** The failure this project exists for: a relay that serves connect-udp only, and a doctor given no TCP target. */
    @Test
    void connectUdpOnlyRelayWithoutTcpTargetIsReported() throws Exception {
        for (FaultyRelay variant : List.of(FaultyRelay.RESET_CONNECT, FaultyRelay.STOCK_FLUPKE)) {
            try (var relay = variant.start(env.pki)) {
                Doctor.Report report = examine(relay.address().getPort(), List.of(), null);
                assertFalse(report.allPassed(), variant + ": " + report.checks());
                assertLine(report, "classic CONNECT", Doctor.Mark.FAIL, "method not served");
                String text = print(report);
                assertFalse(text.contains("No problem found"), text);

                ByteArrayOutputStream out = new ByteArrayOutputStream();
                PrintStream saved = System.out;
                int exit;
                try {
                    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                    exit = RelayToolsCli.commandLine().execute("doctor", "https://127.0.0.1:" + relay.address().getPort() + "/",
                            "--proxy-cacert", env.caPem.toString(), "--udp-target", "127.0.0.1:" + env.udpEcho.port());
                } finally {
                    System.setOut(saved);
                }
                assertEquals(1, exit, out.toString(StandardCharsets.UTF_8));
                assertTrue(out.toString(StandardCharsets.UTF_8).contains("method not served"), out.toString(StandardCharsets.UTF_8));
            }
        }
    }

    private static void assertLine(Doctor.Report report, String name, Doctor.Mark mark, String detail) {
        assertTrue(report.checks().stream().anyMatch(c -> c.name().equals(name) && c.mark() == mark && c.detail().contains(detail)),
                name + " " + mark + " '" + detail + "' in " + report.checks());
    }

    private static String print(Doctor.Report report) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        report.print(new PrintStream(text, true, StandardCharsets.UTF_8));
        return text.toString(StandardCharsets.UTF_8);
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
