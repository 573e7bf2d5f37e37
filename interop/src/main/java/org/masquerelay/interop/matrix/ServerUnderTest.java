package org.masquerelay.interop.matrix;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;

/**
 * A running server peer as clients see it.
 *
 * @param name        peer name in the matrix
 * @param address     its UDP address (loopback)
 * @param root        the root its certificate chains to (installed on the "device")
 * @param rootPem     the same, as a PEM file (for peers that read files)
 * @param credentials headers a client must add (additionalHTTPHeaderFields)
 */
public record ServerUnderTest(String name, InetSocketAddress address, X509Certificate root, Path rootPem,
                              Map<String, String> credentials) {
    public String host() {
        return address.getAddress().getHostAddress();
    }

    public int port() {
        return address.getPort();
    }
}
