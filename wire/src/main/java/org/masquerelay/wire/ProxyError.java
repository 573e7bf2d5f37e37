package org.masquerelay.wire;

import java.util.Optional;

/** The Proxy Error Types of RFC 9209 §2.3, each with its registered token. */
public enum ProxyError {
    DNS_TIMEOUT("dns_timeout"), // §2.3.1
    DNS_ERROR("dns_error"), // §2.3.2
    DESTINATION_NOT_FOUND("destination_not_found"), // §2.3.3
    DESTINATION_UNAVAILABLE("destination_unavailable"), // §2.3.4
    DESTINATION_IP_PROHIBITED("destination_ip_prohibited"), // §2.3.5
    DESTINATION_IP_UNROUTABLE("destination_ip_unroutable"), // §2.3.6
    CONNECTION_REFUSED("connection_refused"), // §2.3.7
    CONNECTION_TERMINATED("connection_terminated"), // §2.3.8
    CONNECTION_TIMEOUT("connection_timeout"), // §2.3.9
    CONNECTION_READ_TIMEOUT("connection_read_timeout"), // §2.3.10
    CONNECTION_WRITE_TIMEOUT("connection_write_timeout"), // §2.3.11
    CONNECTION_LIMIT_REACHED("connection_limit_reached"), // §2.3.12
    TLS_PROTOCOL_ERROR("tls_protocol_error"), // §2.3.13
    TLS_CERTIFICATE_ERROR("tls_certificate_error"), // §2.3.14
    TLS_ALERT_RECEIVED("tls_alert_received"), // §2.3.15
    HTTP_REQUEST_ERROR("http_request_error"), // §2.3.16
    HTTP_REQUEST_DENIED("http_request_denied"), // §2.3.17
    HTTP_RESPONSE_INCOMPLETE("http_response_incomplete"), // §2.3.18
    HTTP_RESPONSE_HEADER_SECTION_SIZE("http_response_header_section_size"), // §2.3.19
    HTTP_RESPONSE_HEADER_SIZE("http_response_header_size"), // §2.3.20
    HTTP_RESPONSE_BODY_SIZE("http_response_body_size"), // §2.3.21
    HTTP_RESPONSE_TRAILER_SECTION_SIZE("http_response_trailer_section_size"), // §2.3.22
    HTTP_RESPONSE_TRAILER_SIZE("http_response_trailer_size"), // §2.3.23
    HTTP_RESPONSE_TRANSFER_CODING("http_response_transfer_coding"), // §2.3.24
    HTTP_RESPONSE_CONTENT_CODING("http_response_content_coding"), // §2.3.25
    HTTP_RESPONSE_TIMEOUT("http_response_timeout"), // §2.3.26
    HTTP_UPGRADE_FAILED("http_upgrade_failed"), // §2.3.27
    HTTP_PROTOCOL_ERROR("http_protocol_error"), // §2.3.28
    PROXY_INTERNAL_RESPONSE("proxy_internal_response"), // §2.3.29
    PROXY_INTERNAL_ERROR("proxy_internal_error"), // §2.3.30
    PROXY_CONFIGURATION_ERROR("proxy_configuration_error"), // §2.3.31
    PROXY_LOOP_DETECTED("proxy_loop_detected"); // §2.3.32

    private final String token;

    ProxyError(String token) {
        this.token = token;
    }

    /** The sf-token used as the value of the "error" parameter. */
    public String token() {
        return token;
    }

    /** Tokens are compared exactly: RFC 8941 tokens are case-sensitive. */
    public static Optional<ProxyError> fromToken(String token) {
        if (token == null) {
            return Optional.empty();
        }
        for (ProxyError e : values()) {
            if (e.token.equals(token)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
