package org.masquerelay.engine.quiche;

/** Names of the TLS alerts a handshake failure carries (RFC 8446 §6), for messages people can act on. */
final class TlsAlerts {
    private TlsAlerts() {}

    static String name(int alert) {
        return switch (alert) {
            case 10 -> "unexpected_message";
            case 40 -> "handshake_failure";
            case 42 -> "bad_certificate";
            case 43 -> "unsupported_certificate";
            case 44 -> "certificate_revoked";
            case 45 -> "certificate_expired";
            case 46 -> "certificate_unknown";
            case 48 -> "unknown_ca";
            case 50 -> "decode_error";
            case 51 -> "decrypt_error";
            case 70 -> "protocol_version";
            case 80 -> "internal_error";
            case 112 -> "unrecognized_name";
            case 116 -> "certificate_required";
            case 120 -> "no_application_protocol";
            default -> "alert " + alert;
        };
    }
}
