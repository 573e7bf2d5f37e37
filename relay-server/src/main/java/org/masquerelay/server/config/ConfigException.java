package org.masquerelay.server.config;

/**
 * A configuration problem found at start-up. The message starts with the key path so the operator knows which line of
 * the file to fix: {@code limits.tunnels-per-connection: must be a positive integer, got 'lots'}.
 *
 * <p>Unchecked so that the {@code with...} methods used for command-line overrides can throw it too.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String keyPath;

    /** @param keyPath the key the problem is about, e.g. {@code policy.addresses[1].allow}; null for the whole file */
    public ConfigException(String keyPath, String problem) {
        this(keyPath, problem, null);
    }

    public ConfigException(String keyPath, String problem, Throwable cause) {
        super(keyPath == null || keyPath.isEmpty() ? problem : keyPath + ": " + problem, cause);
        this.keyPath = keyPath;
    }

    /** The key path the problem is about, or null when it concerns the whole file. */
    public String keyPath() {
        return keyPath;
    }
}
