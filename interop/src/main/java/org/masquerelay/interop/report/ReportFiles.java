package org.masquerelay.interop.report;

import org.masquerelay.interop.apple.AppleProbe;
import org.masquerelay.interop.matrix.Case;
import org.masquerelay.interop.matrix.CaseResult;
import org.masquerelay.interop.matrix.VariantRunner.VariantResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes {@code report.json} and a self-contained {@code report.html} (no scripts, no external files). */
public final class ReportFiles {
    private static final int EXCERPT_LINES = 40;

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
        m.put("cases", r.cases().stream().map(c -> Map.of("code", c.name(), "title", c.title, "description", c.description)).toList());
        List<Object> cells = new ArrayList<>();
        for (CaseResult c : r.cells()) {
            Map<String, Object> cell = new LinkedHashMap<>();
            cell.put("client", c.client());
            cell.put("server", c.server());
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
        return m;
    }

    static String html(RunReport r) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>MASQUE relay interop</title><style>")
                .append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:center}td.l,th.l{text-align:left}")
                .append(".PASS,.yes{background:#dfd}.FAIL,.no{background:#fdd}.UNSUPPORTED{background:#eee}")
                .append("pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}details{margin:.3em 0}")
                .append("</style></head><body>");
        h.append("<h1>MASQUE relay interop</h1><p>").append(esc(r.started().toString())).append(" — ")
                .append(r.ok() ? "<b>OK</b>" : "<b style=\"color:#b00\">FAILURES</b>")
                .append(String.format(" in %.1f s. ✓ passed, ✕ failed, ? unsupported (not a failure).", r.millis() / 1000.0)).append("</p>");
        if (!r.cells().isEmpty()) {
            h.append("<h2>Matrix</h2><table><tr><th class=l>client → server</th>");
            for (Case c : r.cases()) {
                h.append("<th title=\"").append(esc(c.description)).append("\">").append(c.name()).append("</th>");
            }
            h.append("</tr>");
            for (String server : r.servers()) {
                for (String client : r.clients()) {
                    h.append("<tr><td class=l>").append(esc(client)).append(" → ").append(esc(server)).append("</td>");
                    for (Case c : r.cases()) {
                        r.cell(client, server, c).ifPresentOrElse(cell -> h.append("<td class=").append(cell.status().name())
                                .append(" title=\"").append(esc(cell.cause())).append("\"><a href=\"#").append(anchor(cell)).append("\">")
                                .append(cell.status().symbol).append("</a></td>"), () -> h.append("<td></td>"));
                    }
                    h.append("</tr>");
                }
            }
            h.append("</table><table><tr><th>code</th><th class=l>case</th></tr>");
            for (Case c : r.cases()) {
                h.append("<tr><td>").append(c.name()).append("</td><td class=l><b>").append(esc(c.title)).append("</b>: ")
                        .append(esc(c.description)).append("</td></tr>");
            }
            h.append("</table>");
        }
        if (!r.variants().isEmpty()) {
            h.append("<h2>Faulty relays: what Apple's client would report</h2><table><tr><th class=l>variant</th><th class=l>mistake</th>")
                    .append("<th class=l>Apple profile reports</th><th>step</th><th class=l>expected</th><th></th><th class=l>fix</th></tr>");
            for (VariantResult v : r.variants()) {
                h.append("<tr><td class=l><a href=\"#variant-").append(v.variant().id).append("\">").append(esc(v.variant().id)).append("</a></td><td class=l>")
                        .append(esc(v.variant().mistake)).append("</td><td class=l title=\"").append(esc(v.probe().reported().detail())).append("\">")
                        .append(esc(v.probe().reported().kind().label())).append("</td><td>").append(esc(v.probe().failedStep()))
                        .append("</td><td class=l>").append(esc(v.variant().expected.label())).append("</td><td class=")
                        .append(v.matches() ? "yes>✓" : "no>✕").append("</td><td class=l>").append(esc(v.variant().fix)).append("</td></tr>");
            }
            AppleProbe.Result ours = r.ourRelayProbe();
            if (ours != null) {
                h.append("<tr><td class=l><b>relay-server (ours)</b></td><td class=l>same probe</td><td class=l>")
                        .append(esc(ours.reported().kind().label())).append("</td><td>").append(esc(ours.failedStep()))
                        .append("</td><td class=l>success</td><td class=").append(ours.reported().isSuccess() ? "yes>✓" : "no>✕")
                        .append("</td><td></td></tr>");
            }
            h.append("</table>");
        }
        h.append("<h2>Details</h2>");
        for (CaseResult c : r.cells()) {
            h.append("<details id=\"").append(anchor(c)).append("\"").append(c.status() == CaseResult.Status.FAIL ? " open" : "")
                    .append("><summary>").append(c.status().symbol).append(' ').append(esc(c.client())).append(" → ")
                    .append(esc(c.server())).append(' ').append(c.testCase()).append(" (").append(c.millis()).append(" ms)")
                    .append(c.cause().isEmpty() ? "" : ": " + esc(c.cause())).append("</summary><pre>")
                    .append(esc(excerpt(c.log()))).append("</pre></details>");
        }
        for (VariantResult v : r.variants()) {
            h.append("<details id=\"variant-").append(v.variant().id).append("\"").append(v.matches() ? "" : " open").append("><summary>")
                    .append(v.matches() ? "✓" : "✕").append(" variant ").append(esc(v.variant().id)).append(": ")
                    .append(esc(v.probe().reported().toString())).append("</summary><pre>").append(esc(excerpt(v.probe().log())))
                    .append("</pre></details>");
        }
        return h.append("<p>Per-case logs: <code>logs/</code> next to this file; TLS key logs: <code>keys/</code>.</p></body></html>\n").toString();
    }

    private static String excerpt(List<String> log) {
        List<String> lines = log.size() <= EXCERPT_LINES ? log : log.subList(log.size() - EXCERPT_LINES, log.size());
        return (log.size() > EXCERPT_LINES ? "… " + (log.size() - EXCERPT_LINES) + " earlier lines in logs/\n" : "") + String.join("\n", lines);
    }

    private static String anchor(CaseResult c) {
        return (c.client() + "-" + c.server() + "-" + c.testCase()).replaceAll("[^A-Za-z0-9-]", "_");
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
