package org.masquerelay.interop.bench;

import org.masquerelay.interop.report.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rows of one benchmark run: each row is one figure measured over several runs, reported as median and spread
 * (min–max). A run that failed (a stall, a timeout) is counted and its reason kept, never silently retried.
 */
final class Results {

    /** How a row's numbers may be checked by the smoke test. */
    enum Sign { POSITIVE, NON_NEGATIVE, ANY }

    static final class Row {
        final String id;
        final String group;
        final String label;
        final String unit;
        final Sign sign;
        final List<Double> values = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        String note = "";

        Row(String id, String group, String label, String unit, Sign sign) {
            this.id = id;
            this.group = group;
            this.label = label;
            this.unit = unit;
            this.sign = sign;
        }

        double median() {
            if (values.isEmpty()) {
                return Double.NaN;
            }
            double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = v.length;
            return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }

        double min() {
            return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private final Map<String, Row> rows = new LinkedHashMap<>();
    /**
     * Appended to every row id by {@link #add}, {@link #fail}, {@link #note} and {@link #get} while a second relay
     * variant (another QUIC engine) is measured; values for rows not declared for that variant are dropped.
     */
    String variant = "";
    final Map<String, String> facts = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();

    Row row(String id, String group, String label, String unit, Sign sign) {
        return rows.computeIfAbsent(id, k -> new Row(id, group, label, unit, sign));
    }

    void add(String id, double value) {
        Row row = rows.get(id + variant);
        if (row == null && !variant.isEmpty()) {
            return;
        }
        if (row == null) {
            throw new IllegalStateException("row not declared: " + id);
        }
        row.values.add(value);
    }

    void fail(String id, String reason) {
        Row row = rows.get(id + variant);
        if (row == null && !variant.isEmpty()) {
            return;
        }
        if (row == null) {
            throw new IllegalStateException("row not declared: " + id);
        }
        row.failures.add(reason);
    }

    void note(String id, String note) {
        Row row = rows.get(id + variant);
        if (row != null) {
            row.note = note;
        }
    }

    List<Row> rows() {
        return List.copyOf(rows.values());
    }

    Row get(String id) {
        return rows.get(id + variant);
    }

    // ------------------------------------------------------------------------------------------------ output

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.1 || a == 0) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    void printTable(PrintStream out) {
        out.println();
        out.println("Machine");
        facts.forEach((k, v) -> out.printf(Locale.ROOT, "  %-14s %s%n", k, v));
        int labelWidth = Math.max(40, rows.values().stream().mapToInt(r -> r.label.length()).max().orElse(40));
        String group = null;
        for (Row row : rows.values()) {
            if (!row.group.equals(group)) {
                group = row.group;
                out.println();
                out.printf(Locale.ROOT, "%-" + labelWidth + "s %12s %23s  %-9s %s%n", group, "median", "spread (min-max)", "unit", "n");
            }
            String spread = row.values.size() > 1 ? fmt(row.min()) + " - " + fmt(row.max()) : "";
            String n = row.values.size() + (row.failures.isEmpty() ? "" : " (" + row.failures.size() + " failed)");
            out.printf(Locale.ROOT, "  %-" + (labelWidth - 2) + "s %12s %23s  %-9s %s%s%n", row.label, fmt(row.median()), spread,
                    row.unit, n, row.note.isEmpty() ? "" : "  " + row.note);
            for (String f : row.failures.stream().distinct().toList()) {
                out.println("      failed: " + f);
            }
        }
        if (!notes.isEmpty()) {
            out.println();
            notes.forEach(n -> out.println("Note: " + n));
        }
    }

    /** The table as Markdown, for docs/benchmark.md. */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        String group = null;
        for (Row row : rows.values()) {
            if (!row.group.equals(group)) {
                group = row.group;
                sb.append("\n| ").append(group).append(" | median | min – max | unit | runs |\n|---|---:|---:|---|---|\n");
            }
            String spread = row.values.size() > 1 ? fmt(row.min()) + " – " + fmt(row.max()) : "";
            String n = row.values.size() + (row.failures.isEmpty() ? "" : " (" + row.failures.size() + " failed: "
                    + String.join("; ", row.failures.stream().distinct().toList()) + ")");
            sb.append("| ").append(row.label).append(row.note.isEmpty() ? "" : " — " + row.note).append(" | ")
                    .append(fmt(row.median())).append(" | ").append(spread).append(" | ").append(row.unit)
                    .append(" | ").append(n).append(" |\n");
        }
        return sb.toString();
    }

    void writeJson(Path file, String profile) throws IOException {
        StringBuilder sb = new StringBuilder("{\n  \"machine\": {");
        boolean first = true;
        for (Map.Entry<String, String> e : facts.entrySet()) {
            sb.append(first ? "\n" : ",\n").append("    ").append(Json.quote(e.getKey())).append(": ").append(Json.quote(e.getValue()));
            first = false;
        }
        sb.append("\n  },\n  \"notes\": [");
        for (int i = 0; i < notes.size(); i++) {
            sb.append(i == 0 ? "\n    " : ",\n    ").append(Json.quote(notes.get(i)));
        }
        sb.append("\n  ],\n  \"rows\": [");
        first = true;
        for (Row row : rows.values()) {
            sb.append(first ? "\n" : ",\n");
            first = false;
            sb.append("    {\"id\": ").append(Json.quote(row.id))
                    .append(", \"group\": ").append(Json.quote(row.group))
                    .append(", \"label\": ").append(Json.quote(row.label))
                    .append(", \"unit\": ").append(Json.quote(row.unit))
                    .append(", \"median\": ").append(num(row.median()))
                    .append(", \"min\": ").append(num(row.min()))
                    .append(", \"max\": ").append(num(row.max()))
                    .append(", \"runs\": ").append(Arrays.toString(row.values.stream().map(Results::num).toArray()))
                    .append(", \"failures\": [");
            for (int i = 0; i < row.failures.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(Json.quote(row.failures.get(i)));
            }
            sb.append("], \"note\": ").append(Json.quote(row.note)).append("}");
        }
        sb.append("\n  ],\n  \"profile\": ").append(Json.quote(profile)).append("\n}\n");
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, sb);
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.6g", v);
    }

}
