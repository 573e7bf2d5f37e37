package org.masquerelay.interop.report;

import org.junit.jupiter.api.Test;
import org.masquerelay.interop.matrix.Case;
import org.masquerelay.interop.matrix.CaseResult;
import org.masquerelay.interop.matrix.Transport;
import org.masquerelay.interop.matrix.VariantRunner.VariantResult;
import org.masquerelay.interop.variants.FaultyRelay;
import org.masquerelay.tools.apple.AppleOutcome;
import org.masquerelay.tools.apple.AppleProbe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTML report says why without hovering: counts up top, causes in the cells, every column named. */
class HtmlReportTest {
    static final String FAILURE = "the relay reset the CONNECT stream (H3_REQUEST_CANCELLED) before answering: Apple's client reports errno 53";

    /** A run with one cell of each kind, a faulty relay reported as expected and one that was not. */
    static RunReport sample() {
        List<CaseResult> cells = List.of(
                new CaseResult("apple-profile", "relay-server", Case.T, CaseResult.Status.PASS, "", List.of("ok"), 120),
                new CaseResult("apple-profile", "relay-server", Case.U, CaseResult.Status.FAIL, FAILURE, List.of("opened", "reset"), 340),
                new CaseResult("jetty-http3", "relay-server", Case.T, CaseResult.Status.PASS, "", List.of("ok"), 200),
                new CaseResult("jetty-http3", "relay-server", Case.U, CaseResult.Status.UNSUPPORTED,
                        "Jetty's HTTP/3 client has no QUIC DATAGRAM support", List.of(), 1));
        AppleProbe.Result refused = new AppleProbe.Result(List.of(new AppleProbe.Step("tcp",
                new AppleOutcome(AppleOutcome.Kind.ECONNREFUSED, "501 Not Implemented"))), List.of("501"));
        AppleProbe.Result wrong = new AppleProbe.Result(List.of(new AppleProbe.Step("tcp",
                new AppleOutcome(AppleOutcome.Kind.ETIMEDOUT, "no answer within 5 s"))), List.of("..."));
        List<VariantResult> variants = List.of(new VariantResult(FaultyRelay.STOCK_FLUPKE, refused, 50),
                new VariantResult(FaultyRelay.RESET_CONNECT, wrong, 5000));
        AppleProbe.Result ours = new AppleProbe.Result(List.of(new AppleProbe.Step("tcp", AppleOutcome.success("ok"))), List.of());
        return new RunReport(Instant.parse("2026-12-07T05:06:33.123456Z"), 98_765, List.of(Case.T, Case.U), cells, variants, ours);
    }

    /** A row over HTTP/2 beside the HTTP/3 ones: its transport named, a case it has no use for marked "–". */
    @Test
    void rowsNameTheirTransportAndNotApplicableCellsAreMarked() {
        List<CaseResult> cells = List.of(
                new CaseResult("apple-profile", "relay-server", Case.U, CaseResult.Status.PASS, "", List.of("ok"), 120),
                new CaseResult("jetty-http2", "relay-server", Case.U, CaseResult.Status.NOT_APPLICABLE,
                        Case.U.notApplicable(Transport.H2), List.of(), 0, Transport.H2),
                new CaseResult("jetty-http2", "relay-server", Case.C, CaseResult.Status.PASS, "", List.of("ok"), 80, Transport.H2));
        RunReport r = new RunReport(Instant.parse("2026-12-07T05:06:33Z"), 1000, List.of(Case.U, Case.C), cells, List.of(), null);
        String html = HtmlReport.render(r, ZoneId.of("UTC"));
        assertTrue(html.contains("jetty-http2 → relay-server</td><td>HTTP/2</td>"), html);
        assertTrue(html.contains("apple-profile → relay-server</td><td>HTTP/3</td>"), html);
        assertTrue(html.contains("– 1 not applicable to the row's transport"), html);
        assertTrue(html.contains("<i>over HTTP/2:</i> connect-udp by extended CONNECT"), "the legend says what C means over HTTP/2");
        assertTrue(r.ok(), "a '–' cell is not a failure");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        TerminalReport.print(r, new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        String terminal = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(terminal.contains("jetty-http2 → relay-server (HTTP/2)") && terminal.contains("1 not applicable"), terminal);
    }

    @Test
    void countsCausesHeadingsAndAReadableTime() throws Exception {
        String html = HtmlReport.render(sample(), ZoneId.of("UTC"));
        assertTrue(html.contains("✓ 2 passed") && html.contains("✕ 1 failed") && html.contains("? 1 unsupported"), html);
        assertTrue(html.contains("faulty relays: 1 of 2 reported as Apple's client would"), html);
        assertTrue(html.contains("Run started 2026-12-07 05:06:33 UTC, took 98.8 s."), html);
        assertFalse(html.contains("2026-12-07T05:06:33"), "no ISO instant for people");
        // The failing and the unsupported cell carry their cause in the cell, not only in a tooltip.
        assertTrue(html.contains("<span class=why>" + HtmlReport.esc(FAILURE) + "</span>"), html);
        assertTrue(html.contains("<span class=why>Jetty's HTTP/3 client has no QUIC DATAGRAM support</span>"), html);
        int causes = html.split("<span class=why>", -1).length - 1;
        assertEquals(3, causes, "the failed and the unsupported cell, and the variant that did not match; none for ✓");
        // Every column has a heading: the ✓/✕ column of the faulty relays too.
        assertTrue(html.contains("<th>as expected</th>"), html);
        assertFalse(html.contains("<th></th>"), html);
        assertTrue(html.contains("<span class=why>no answer within 5 s</span>"), "a mismatching variant says what happened");
        Path out = Path.of("target", "report-sample");
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.html"), html); // for a look in a browser (see the README of the change)
    }
}
