package org.masquerelay.interop.report;

import org.masquerelay.interop.matrix.Case;
import org.masquerelay.interop.matrix.CaseResult;
import org.masquerelay.interop.matrix.VariantRunner.VariantResult;

import java.io.PrintStream;

/** The matrix and the variant table as plain text: ✓ passed, ✕ failed, ? unsupported. */
public final class TerminalReport {
    private TerminalReport() {
    }

    public static void print(RunReport report, PrintStream out) {
        if (!report.cells().isEmpty()) {
            StringBuilder header = new StringBuilder(String.format("%-44s", "client \\ server (over)  [case]"));
            report.cases().forEach(c -> header.append(' ').append(c.name()));
            out.println(header);
            for (String server : report.servers()) {
                for (String client : report.clients()) {
                    StringBuilder row = new StringBuilder(String.format("%-44s",
                            client + " → " + server + " (" + report.transportOf(client).label + ")"));
                    for (Case c : report.cases()) {
                        row.append(' ').append(report.cell(client, server, c).map(r -> r.status().symbol).orElse(" "));
                    }
                    out.println(row);
                }
            }
            out.println();
            report.cells().stream().filter(c -> c.status() != CaseResult.Status.PASS && c.status() != CaseResult.Status.NOT_APPLICABLE).forEach(c ->
                    out.println("  " + c.status().symbol + " " + c.client() + " → " + c.server() + " " + c.testCase() + ": " + c.cause()));
            out.printf("%d passed, %d failed, %d unsupported, %d not applicable to the transport (–)%n%n",
                    report.count(CaseResult.Status.PASS), report.count(CaseResult.Status.FAIL),
                    report.count(CaseResult.Status.UNSUPPORTED), report.count(CaseResult.Status.NOT_APPLICABLE));
        }
        if (!report.variants().isEmpty()) {
            out.printf("%-26s %-46s %-42s %s%n", "faulty relay", "Apple profile reports", "expected", "");
            for (VariantResult v : report.variants()) {
                out.printf("%-26s %-46s %-42s %s%n", v.variant().id, v.probe().reported().kind().label() + " @" + v.probe().failedStep()
                                + (v.variant().transport == org.masquerelay.tools.apple.RelayPath.H3 ? "" : " (" + v.variant().transport.label + ")"),
                        v.variant().expected.label(), v.matches() ? "✓" : "✕");
            }
            if (report.ourRelayProbe() != null) {
                out.printf("%-26s %-46s %-42s %s%n", "relay-server (ours)", report.ourRelayProbe().reported().kind().label(),
                        "success", report.ourRelayProbe().reported().isSuccess() ? "✓" : "✕");
            }
            if (report.ourRelayProbeH2() != null) {
                out.printf("%-26s %-46s %-42s %s%n", "relay-server (ours) h2", report.ourRelayProbeH2().reported().kind().label(),
                        "success", report.ourRelayProbeH2().reported().isSuccess() ? "✓" : "✕");
            }
            out.println();
        }
        out.printf("%s in %.1f s%n", report.ok() ? "OK" : "FAILURES", report.millis() / 1000.0);
    }
}
