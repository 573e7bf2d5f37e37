package org.masquerelay.interop.matrix;

import java.util.List;

/** One cell of the matrix; {@code transport} is what the client spoke to the server. */
public record CaseResult(String client, String server, Case testCase, Status status, String cause, List<String> log, long millis,
                         Transport transport) {

    /** A cell over HTTP/3. */
    public CaseResult(String client, String server, Case testCase, Status status, String cause, List<String> log, long millis) {
        this(client, server, testCase, status, cause, log, millis, Transport.H3);
    }

    public enum Status {
        PASS("✓"), FAIL("✕"), UNSUPPORTED("?"),
        /** The case has no meaning over the row's transport (QUIC DATAGRAM over TCP): neither run nor a limitation. */
        NOT_APPLICABLE("–");

        public final String symbol;

        Status(String symbol) {
            this.symbol = symbol;
        }
    }
}
