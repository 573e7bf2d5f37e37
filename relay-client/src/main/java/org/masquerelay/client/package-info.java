/**
 * The relay client library: {@link org.masquerelay.client.RelayClient} opens relayed TCP flows (classic HTTP/3
 * CONNECT, {@link org.masquerelay.client.TcpTunnel}) and UDP flows (connect-udp, {@link org.masquerelay.client.UdpTunnel})
 * over one shared QUIC connection, the way Apple's relay client does; failures arrive as typed
 * {@link org.masquerelay.client.RelayException}s. Everything a user needs is in this package; the classes of
 * {@code org.masquerelay.client.internal} are the library's own and may change without notice.
 */
package org.masquerelay.client;
