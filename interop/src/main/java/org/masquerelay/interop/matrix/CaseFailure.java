package org.masquerelay.interop.matrix;

/** A case did not pass; the message is the cause shown in the matrix. */
public final class CaseFailure extends Exception {
    public CaseFailure(String message) {
        super(message);
    }

    public static void check(boolean condition, String message) throws CaseFailure {
        if (!condition) {
            throw new CaseFailure(message);
        }
    }
}
