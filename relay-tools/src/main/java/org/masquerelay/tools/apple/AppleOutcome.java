package org.masquerelay.tools.apple;

/**
 * What Apple's relay client would report for one flow (apple-relay-client.md, "What it checks"): success, a Darwin
 * errno on the proxied flow, or an NERelay client error for the relay itself (certificate trust, reachability).
 *
 * @param kind   the class of outcome
 * @param detail what happened on the wire, in one sentence
 */
public record AppleOutcome(Kind kind, String detail) {

    /** Each kind carries the number Apple shows: an errno, or an NERelayManager client error code. */
    public enum Kind {
        SUCCESS(0, "success"),
        /** A reset or closed stream, a closed connection, bad SETTINGS, FIN after the response. Never a response. */
        ECONNABORTED(53, "errno 53 ECONNABORTED"),
        /** Timed out waiting for the relay. */
        ETIMEDOUT(60, "errno 60 ETIMEDOUT"),
        /** Any non-2xx response without a more specific Proxy-Status. */
        ECONNREFUSED(61, "errno 61 ECONNREFUSED"),
        /** 5xx + Proxy-Status connection_refused / connection_timeout. */
        EHOSTDOWN(64, "errno 64 EHOSTDOWN"),
        /** 5xx + Proxy-Status dns_error / destination_* . */
        EHOSTUNREACH(65, "errno 65 EHOSTUNREACH"),
        /** NERelayManager client error 3: no QUIC/TLS connection at all. */
        SERVER_UNREACHABLE(3, "NERelay error 3 serverUnreachable"),
        /** NERelayManager client error 8: the relay's certificate fails trust evaluation (TLS alert 42). */
        SERVER_CERTIFICATE_INVALID(8, "NERelay error 8 serverCertificateInvalid"),
        /** NERelayManager client error 9. */
        SERVER_CERTIFICATE_EXPIRED(9, "NERelay error 9 serverCertificateExpired");

        private final int code;
        private final String label;

        Kind(int code, String label) {
            this.code = code;
            this.label = label;
        }

        public int code() {
            return code;
        }

        public String label() {
            return label;
        }

        public boolean isCertificateError() {
            return this == SERVER_CERTIFICATE_INVALID || this == SERVER_CERTIFICATE_EXPIRED;
        }
    }

    public static AppleOutcome success(String detail) {
        return new AppleOutcome(Kind.SUCCESS, detail);
    }

    public static AppleOutcome aborted(String detail) {
        return new AppleOutcome(Kind.ECONNABORTED, detail);
    }

    public boolean isSuccess() {
        return kind == Kind.SUCCESS;
    }

    /** The errno, or -1 when the outcome is not an errno (success or an NERelay error). */
    public int errno() {
        return switch (kind) {
            case ECONNABORTED, ETIMEDOUT, ECONNREFUSED, EHOSTDOWN, EHOSTUNREACH -> kind.code();
            default -> -1;
        };
    }

    @Override
    public String toString() {
        return kind.label() + ": " + detail;
    }
}
