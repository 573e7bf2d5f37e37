package org.masquerelay.interop.matrix;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;

/**
 * A running server peer as clients see it.
 *
 * @param name        peer name in the matrix
 * @param address     its UDP address (loopback)
 * @param root        the root its certificate chains to (installed on the "device")
 * @param rootPem     the same, as a PEM file (for peers that read files)
 * @param credentials headers a client must add (additionalHTTPHeaderFields)
 * @param spawner     starts a dedicated instance of the same server for one cell (cases K and E), or null
 * @param tcpAddress  its TLS-over-TCP listener (HTTP/2 and HTTP/1.1), or null when it has none
 */
public record ServerUnderTest(String name, InetSocketAddress address, X509Certificate root, Path rootPem,
                              Map<String, String> credentials, Spawner spawner, InetSocketAddress tcpAddress) {

    public ServerUnderTest(String name, InetSocketAddress address, X509Certificate root, Path rootPem,
                           Map<String, String> credentials, Spawner spawner) {
        this(name, address, root, rootPem, credentials, spawner, null);
    }

    public ServerUnderTest(String name, InetSocketAddress address, X509Certificate root, Path rootPem,
                           Map<String, String> credentials) {
        this(name, address, root, rootPem, credentials, null, null);
    }

    /** Starts a fresh instance, for a case that kills it or needs other settings than the shared one. */
    @FunctionalInterface
    public interface Spawner {
        /** @param targetConnectTimeout the server's bound on connecting to a target, or null for its default */
        ServerPeer.Running start(Duration targetConnectTimeout) throws Exception;
    }

    /** A dedicated instance, or a {@link CaseFailure} when this server peer cannot start one. */
    public ServerPeer.Running dedicated(Duration targetConnectTimeout) throws Exception {
        if (spawner == null) {
            throw new CaseFailure("server peer " + name + " cannot start a dedicated instance for this case");
        }
        return spawner.start(targetConnectTimeout);
    }

    public String host() {
        return address.getAddress().getHostAddress();
    }

    public int port() {
        return address.getPort();
    }

    /** The TCP listener's port; a {@link CaseFailure} when the server has none. */
    public int tcpPort() throws CaseFailure {
        if (tcpAddress == null) {
            throw new CaseFailure("server peer " + name + " has no TCP listener (HTTP/2, HTTP/1.1)");
        }
        return tcpAddress.getPort();
    }
}
