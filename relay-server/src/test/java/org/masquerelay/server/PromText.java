package org.masquerelay.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A {@code /metrics} page parsed by the Prometheus project's own parser (Python's prometheus_client, Debian package
 * python3-prometheus-client, which .ci/run installs), not by our reading of the format: a page it cannot parse fails
 * the test. Samples are keyed {@code name{label="value",...}} with the labels sorted.
 */
final class PromText {
    private static final String PARSER = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    labels = ",".join('%s="%s"' % (k, s.labels[k]) for k in sorted(s.labels))
                    print("%s{%s}\\t%r" % (s.name, labels, float(s.value)))
            """;

    private final Map<String, Double> samples;
    private final String text;

    private PromText(String text, Map<String, Double> samples) {
        this.text = text;
        this.samples = samples;
    }

    static PromText scrape(int adminPort) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + r.statusCode());
            }
            if (!r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4")) {
                throw new AssertionError("/metrics content type: " + r.headers().firstValue("content-type"));
            }
            return parse(r.body());
        }
    }

    static PromText parse(String text) throws IOException, InterruptedException {
        // Debian's python, where the Debian package installs the parser (a python3 earlier on the PATH may be another).
        String python3 = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process python = new ProcessBuilder(python3, "-c", PARSER).start();
        try (OutputStream in = python.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!python.waitFor(30, TimeUnit.SECONDS) || python.exitValue() != 0) {
            throw new AssertionError("the Prometheus parser rejected the page (or is missing: apt-get install"
                    + " python3-prometheus-client): " + err + "\npage:\n" + text);
        }
        Map<String, Double> samples = new HashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                int tab = line.lastIndexOf('\t');
                samples.put(line.substring(0, tab), Double.parseDouble(line.substring(tab + 1)));
            }
        }
        return new PromText(text, samples);
    }

    /** The sample's value, 0 when absent (a counter never incremented has no series yet). */
    double value(String name, String... labels) {
        Map<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            sorted.put(labels[i], labels[i + 1]);
        }
        String key = name + "{" + sorted.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",")) + "}";
        return samples.getOrDefault(key, 0.0);
    }

    /** The sum over every series of a sample name. */
    double sum(String name) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    String text() {
        return text;
    }
}
