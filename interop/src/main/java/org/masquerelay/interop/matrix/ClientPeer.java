package org.masquerelay.interop.matrix;

/** A client implementation in the matrix. */
public interface ClientPeer {
    String name();

    /** What it speaks to the relay: HTTP/3 unless it says otherwise. */
    default Transport transport() {
        return Transport.H3;
    }

    /** Null when the case can be run; otherwise why this peer cannot do it (the cell shows "?"). */
    String unsupported(Case testCase);

    /** Runs one case against a fresh connection; throws {@link CaseFailure} (or anything) when it does not pass. */
    void run(Case testCase, ServerUnderTest server, InteropEnv env, CellLog log) throws Exception;
}
