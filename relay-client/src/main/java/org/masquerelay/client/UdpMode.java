package org.masquerelay.client;

/** How connect-udp payloads travel between client and relay (RFC 9298 §5, RFC 9297). */
public enum UdpMode {
    /** QUIC DATAGRAM frames when the relay offers them (SETTINGS_H3_DATAGRAM=1 and the transport parameter), else capsules. */
    AUTO,
    /** DATAGRAM capsules on the request stream, always: reliable and ordered, no size limit below 64 KiB. */
    CAPSULES
}
