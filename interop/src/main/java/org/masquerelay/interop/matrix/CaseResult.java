package org.masquerelay.interop.matrix;

import java.util.List;

/** One cell of the matrix. */
public record CaseResult(String client, String server, Case testCase, Status status, String cause, List<String> log, long millis) {

    public enum Status {
        PASS("✓"), FAIL("✕"), UNSUPPORTED("?");

        public final String symbol;

        Status(String symbol) {
            this.symbol = symbol;
        }
    }
}
