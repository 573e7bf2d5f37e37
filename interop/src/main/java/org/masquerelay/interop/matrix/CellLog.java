package org.masquerelay.interop.matrix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The log of one cell: what the client did and saw, kept for the report and the per-case log file. */
public final class CellLog {
    private final long start = System.nanoTime();
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    public void add(String line) {
        lines.add(String.format("%6d ms  %s", (System.nanoTime() - start) / 1_000_000, line));
    }

    public void addAll(List<String> more) {
        more.forEach(this::add);
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }
}
