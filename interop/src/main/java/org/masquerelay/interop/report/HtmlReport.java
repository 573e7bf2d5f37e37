package org.masquerelay.interop.report;

import org.masquerelay.interop.matrix.Case;
import org.masquerelay.interop.matrix.CaseResult;
import org.masquerelay.interop.matrix.Transport;
import org.masquerelay.interop.matrix.VariantRunner.VariantResult;
import org.masquerelay.tools.apple.AppleProbe;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html}: self-contained (no scripts, no external files) and readable as printed: the counts up top,
 * every cell that is not ✓ says why in the cell itself (a tooltip is not there on paper or a phone), every column
 * has a heading, and the time is one a person reads.
 */
final class HtmlReport {
    private static final int EXCERPT_LINES = 40;
    /** Longer causes are cut in the cell; the whole text is in the details below. */
    private static final int CELL_CAUSE_CHARS = 140;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss zzz", Locale.ROOT);

    private HtmlReport() {
    }

    static String render(RunReport r, ZoneId zone) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MASQUE relay interop</title><style>")
                .append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:center;vertical-align:top}td.l,th.l{text-align:left}")
                .append(".PASS,.yes{background:#dfd}.FAIL,.no{background:#fdd}.UNSUPPORTED{background:#eee}.NOT_APPLICABLE{background:#fff;color:#888}")
                .append(".sym{font-size:16px}.why{display:block;max-width:16em;font-size:11px;text-align:left;color:#444;")
                .append("overflow-wrap:anywhere}a{color:inherit}")
                .append(".counts span{display:inline-block;margin-right:1.2em;padding:2px 8px;border-radius:3px}")
                .append("pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}details{margin:.3em 0}")
                .append("</style></head><body>");
        header(h, r, zone);
        if (!r.cells().isEmpty()) {
            matrix(h, r);
        }
        if (!r.variants().isEmpty()) {
            variants(h, r);
        }
        details(h, r);
        return h.append("<p>Per-case logs: <code>logs/</code> next to this file; TLS key logs: <code>keys/</code>.</p></body></html>\n").toString();
    }

    private static void header(StringBuilder h, RunReport r, ZoneId zone) {
        h.append("<h1>MASQUE relay interop: ").append(r.ok() ? "OK" : "<span style=\"color:#b00\">FAILURES</span>").append("</h1>");
        h.append("<p>Run started ").append(esc(readable(r.started(), zone)))
                .append(String.format(Locale.ROOT, ", took %.1f s.", r.millis() / 1000.0)).append("</p>");
        h.append("<p class=counts>");
        if (!r.cells().isEmpty()) {
            h.append("<span class=PASS>✓ ").append(r.count(CaseResult.Status.PASS)).append(" passed</span>")
                    .append("<span class=").append(r.count(CaseResult.Status.FAIL) > 0 ? "FAIL" : "UNSUPPORTED").append(">✕ ")
                    .append(r.count(CaseResult.Status.FAIL)).append(" failed</span>")
                    .append("<span class=UNSUPPORTED>? ").append(r.count(CaseResult.Status.UNSUPPORTED))
                    .append(" unsupported (the peer cannot do the case; not a failure)</span>");
            if (r.count(CaseResult.Status.NOT_APPLICABLE) > 0) {
                h.append("<span class=NOT_APPLICABLE>– ").append(r.count(CaseResult.Status.NOT_APPLICABLE))
                        .append(" not applicable to the row's transport</span>");
            }
        }
        if (!r.variants().isEmpty()) {
            long asExpected = r.variants().size() - r.variantMismatches();
            h.append("<span class=").append(r.variantMismatches() == 0 ? "yes" : "no").append(">faulty relays: ")
                    .append(asExpected).append(" of ").append(r.variants().size()).append(" reported as Apple's client would</span>");
        }
        h.append("</p>");
    }

    private static void matrix(StringBuilder h, RunReport r) {
        h.append("<h2>Matrix</h2><table><tr><th class=l>client → server</th><th>over</th>");
        for (Case c : r.cases()) {
            h.append("<th title=\"").append(esc(c.description)).append("\">").append(c.name())
                    .append("<br><small>").append(esc(c.title)).append("</small></th>");
        }
        h.append("</tr>");
        for (String server : r.servers()) {
            for (String client : r.clients()) {
                h.append("<tr><td class=l>").append(esc(client)).append(" → ").append(esc(server)).append("</td><td>")
                        .append(esc(r.transportOf(client).label)).append("</td>");
                for (Case c : r.cases()) {
                    r.cell(client, server, c).ifPresentOrElse(cell -> cell(h, cell), () -> h.append("<td></td>"));
                }
                h.append("</tr>");
            }
        }
        h.append("</table><table><tr><th>code</th><th class=l>case</th></tr>");
        for (Case c : r.cases()) {
            h.append("<tr><td>").append(c.name()).append("</td><td class=l><b>").append(esc(c.title)).append("</b>: ")
                    .append(esc(c.description));
            for (Transport t : transports(r)) {
                String meaning = c.notApplicable(t) != null ? "not applicable (" + c.notApplicable(t) + ")" : c.over(t);
                if (meaning != null) {
                    h.append("<br><i>over ").append(esc(t.label)).append(":</i> ").append(esc(meaning));
                }
            }
            h.append("</td></tr>");
        }
        h.append("</table>");
    }

    /** The transports of the rows, in the order of {@link Transport}. */
    private static java.util.Set<Transport> transports(RunReport r) {
        java.util.Set<Transport> all = java.util.EnumSet.noneOf(Transport.class);
        r.cells().forEach(c -> all.add(c.transport()));
        return all;
    }

    private static void cell(StringBuilder h, CaseResult cell) {
        h.append("<td class=").append(cell.status().name()).append(" title=\"").append(esc(cell.cause())).append("\">")
                .append("<a class=sym href=\"#").append(anchor(cell)).append("\">").append(cell.status().symbol).append("</a>");
        if (cell.status() != CaseResult.Status.PASS) {
            String cause = cell.cause().isBlank() ? "no cause recorded (see the log)" : cell.cause();
            h.append("<span class=why>").append(esc(cut(cause))).append("</span>");
        }
        h.append("</td>");
    }

    private static void variants(StringBuilder h, RunReport r) {
        h.append("<h2>Faulty relays: what Apple's client would report</h2><table><tr><th class=l>variant</th>")
                .append("<th class=l>over</th><th class=l>mistake</th><th class=l>Apple profile reports</th><th>step</th><th class=l>expected</th>")
                .append("<th>as expected</th><th class=l>fix</th></tr>");
        for (VariantResult v : r.variants()) {
            h.append("<tr><td class=l><a href=\"#variant-").append(v.variant().id).append("\">").append(esc(v.variant().id))
                    .append("</a></td><td class=l>").append(esc(v.variant().transport.label)).append("</td><td class=l>")
                    .append(esc(v.variant().mistake)).append("</td><td class=l>")
                    .append(esc(v.probe().reported().kind().label()));
            if (!v.matches()) {
                h.append("<span class=why>").append(esc(cut(v.probe().reported().detail()))).append("</span>");
            }
            h.append("</td><td>").append(esc(v.probe().failedStep())).append("</td><td class=l>")
                    .append(esc(v.variant().expected.label())).append("</td><td class=").append(v.matches() ? "yes>✓" : "no>✕")
                    .append("</td><td class=l>").append(esc(v.variant().fix)).append("</td></tr>");
        }
        ours(h, r.ourRelayProbe(), "HTTP/3");
        ours(h, r.ourRelayProbeH2(), "HTTP/2");
        h.append("</table>");
    }

    private static void ours(StringBuilder h, AppleProbe.Result ours, String over) {
        if (ours == null) {
            return;
        }
        h.append("<tr><td class=l><b>relay-server (ours)</b></td><td class=l>").append(over).append("</td><td class=l>same probe</td><td class=l>")
                .append(esc(ours.reported().kind().label()));
        if (!ours.reported().isSuccess()) {
            h.append("<span class=why>").append(esc(cut(ours.reported().detail()))).append("</span>");
        }
        h.append("</td><td>").append(esc(ours.failedStep())).append("</td><td class=l>success</td><td class=")
                .append(ours.reported().isSuccess() ? "yes>✓" : "no>✕").append("</td><td></td></tr>");
    }

    private static void details(StringBuilder h, RunReport r) {
        h.append("<h2>Details</h2>");
        for (CaseResult c : r.cells()) {
            h.append("<details id=\"").append(anchor(c)).append("\"").append(c.status() == CaseResult.Status.FAIL ? " open" : "")
                    .append("><summary>").append(c.status().symbol).append(' ').append(esc(c.client())).append(" → ")
                    .append(esc(c.server())).append(" (").append(esc(c.transport().label)).append(") ").append(c.testCase()).append(" (").append(c.millis()).append(" ms)")
                    .append(c.cause().isEmpty() ? "" : ": " + esc(c.cause())).append("</summary><pre>")
                    .append(esc(excerpt(c.log()))).append("</pre></details>");
        }
        for (VariantResult v : r.variants()) {
            h.append("<details id=\"variant-").append(v.variant().id).append("\"").append(v.matches() ? "" : " open").append("><summary>")
                    .append(v.matches() ? "✓" : "✕").append(" variant ").append(esc(v.variant().id)).append(": ")
                    .append(esc(v.probe().reported().toString())).append("</summary><pre>").append(esc(excerpt(v.probe().log())))
                    .append("</pre></details>");
        }
    }

    /** "2026-12-07 05:06:33 UTC": a person reads it at a glance, unlike 2026-12-07T05:06:33.123456Z. */
    static String readable(Instant when, ZoneId zone) {
        return TIME.format(when.atZone(zone));
    }

    private static String cut(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= CELL_CAUSE_CHARS ? oneLine : oneLine.substring(0, CELL_CAUSE_CHARS - 1) + "…";
    }

    private static String excerpt(List<String> log) {
        List<String> lines = log.size() <= EXCERPT_LINES ? log : log.subList(log.size() - EXCERPT_LINES, log.size());
        return (log.size() > EXCERPT_LINES ? "… " + (log.size() - EXCERPT_LINES) + " earlier lines in logs/\n" : "") + String.join("\n", lines);
    }

    static String anchor(CaseResult c) {
        return (c.client() + "-" + c.server() + "-" + c.testCase()).replaceAll("[^A-Za-z0-9-]", "_");
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
