package org.masquerelay.interop.report;

import org.masquerelay.interop.matrix.CaseResult;
import org.masquerelay.interop.matrix.VariantRunner.VariantResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes {@code report.json} and a self-contained {@code report.html} ({@link HtmlReport}). */
public final class ReportFiles {
    private ReportFiles() {
    }

    public static List<Path> write(RunReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path json = dir.resolve("report.json");
        Path html = dir.resolve("report.html");
        Files.writeString(json, Json.write(toMap(report)));
        Files.writeString(html, html(report));
        return List.of(json, html);
    }

    static Map<String, Object> toMap(RunReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", r.started().toString());
        m.put("millis", r.millis());
        m.put("ok", r.ok());
        m.put("passed", r.count(CaseResult.Status.PASS));
        m.put("failed", r.count(CaseResult.Status.FAIL));
        m.put("unsupported", r.count(CaseResult.Status.UNSUPPORTED));
        m.put("notApplicable", r.count(CaseResult.Status.NOT_APPLICABLE));
        m.put("cases", r.cases().stream().map(c -> Map.of("code", c.name(), "title", c.title, "description", c.description)).toList());
        List<Object> cells = new ArrayList<>();
        for (CaseResult c : r.cells()) {
            Map<String, Object> cell = new LinkedHashMap<>();
            cell.put("client", c.client());
            cell.put("server", c.server());
            cell.put("transport", c.transport().label);
            cell.put("case", c.testCase().name());
            cell.put("status", c.status().name().toLowerCase());
            cell.put("symbol", c.status().symbol);
            cell.put("cause", c.cause());
            cell.put("millis", c.millis());
            cell.put("log", c.log());
            cells.add(cell);
        }
        m.put("cells", cells);
        List<Object> variants = new ArrayList<>();
        for (VariantResult v : r.variants()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("variant", v.variant().id);
            row.put("transport", v.variant().transport.label);
            row.put("mistake", v.variant().mistake);
            row.put("reported", v.probe().reported().kind().label());
            row.put("reportedDetail", v.probe().reported().detail());
            row.put("step", v.probe().failedStep());
            row.put("expected", v.variant().expected.label());
            row.put("matches", v.matches());
            row.put("fix", v.variant().fix);
            row.put("log", v.probe().log());
            variants.add(row);
        }
        m.put("variants", variants);
        if (r.ourRelayProbe() != null) {
            m.put("ourRelayProbe", Map.of("reported", r.ourRelayProbe().reported().toString(), "log", r.ourRelayProbe().log()));
        }
        if (r.ourRelayProbeH2() != null) {
            m.put("ourRelayProbeH2", Map.of("reported", r.ourRelayProbeH2().reported().toString(), "log", r.ourRelayProbeH2().log()));
        }
        return m;
    }

    /** The HTML report, with times in this machine's zone. */
    static String html(RunReport r) {
        return HtmlReport.render(r, java.time.ZoneId.systemDefault());
    }
}
