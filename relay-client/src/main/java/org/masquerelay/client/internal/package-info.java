/**
 * How the client library works inside (not its API; may change without notice): each relay of a chain and its
 * connection ({@link org.masquerelay.client.internal.RelayHop}), the relay's answer to a tunnel request
 * ({@link org.masquerelay.client.internal.RelayAnswer}), trust checks, and the socket adapters that let tunnels stand
 * in for sockets (a TCP tunnel under TLS, a UDP tunnel under a QUIC engine).
 */
package org.masquerelay.client.internal;
