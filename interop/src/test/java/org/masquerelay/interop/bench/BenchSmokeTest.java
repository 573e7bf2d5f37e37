package org.masquerelay.interop.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The only benchmark run in the unit tests: {@code bench --quick} (every row, tiny sizes, one run) must produce every
 * row with plausible numbers. It measures nothing; it keeps the benchmark from rotting.
 */
class BenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void quickRunHasEveryRowWithPositiveNumbers() throws Exception {
        BenchConfig cfg = BenchMain.parse(new String[] {"--quick", "--out", dir.toString()});
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Bench bench = BenchMain.run(cfg, new PrintStream(progress, true, StandardCharsets.UTF_8));
        String log = progress.toString(StandardCharsets.UTF_8);

        // Every row the full benchmark has, declared from the same configuration shape.
        Bench expected = new Bench(BenchConfig.defaults().withOut(dir), new PrintStream(new ByteArrayOutputStream()));
        expected.declareRows();
        List<String> expectedIds = expected.results.rows().stream().map(r -> r.id).toList();
        List<String> ids = bench.results.rows().stream().map(r -> r.id).toList();
        assertEquals(expectedIds, ids, "the quick run has the rows of the full run");

        List<String> problems = new ArrayList<>();
        for (Results.Row row : bench.results.rows()) {
            if (row.note.contains("skipped")) {
                continue;  // e.g. socat not installed
            }
            if (row.values.isEmpty()) {
                problems.add(row.id + ": no value " + row.failures);
                continue;
            }
            for (double v : row.values) {
                boolean ok = switch (row.sign) {
                    case POSITIVE -> v > 0;
                    case NON_NEGATIVE -> v >= 0;
                    case ANY -> !Double.isNaN(v);
                };
                if (!ok || Double.isInfinite(v)) {
                    problems.add(row.id + " = " + v);
                }
            }
        }
        assertTrue(problems.isEmpty(), "rows without plausible numbers: " + problems + "\n" + log);
        assertTrue(bench.results.facts.containsKey("cores") && bench.results.facts.containsKey("jdk")
                && bench.results.facts.containsKey("os"), "machine facts");
        String json = Files.readString(dir.resolve("results.json"));
        assertTrue(json.contains("\"tcp.kwik.1\"") && json.contains("\"cost.tunnel.heap.1000\"")
                && json.contains("\"scale.tunnels.heap\"") && json.contains("\"scale.conns.probe@quiche\""), json);
        assertTrue(bench.profileSummary.contains("execution samples"), bench.profileSummary);
    }
}
