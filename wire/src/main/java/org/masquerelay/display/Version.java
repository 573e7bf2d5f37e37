package org.masquerelay.display;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The project's version, as every command prints it ({@code relay-server}, {@code relay-client} and {@code interop}
 * give the same answer). Maven writes it into a resource of this module, so it is right in a jar, in a test run and
 * in the launchers alike.
 */
public final class Version {
    private static final String VERSION = read();

    private Version() {}

    /** E.g. "0.1.0-SNAPSHOT"; "unknown" only if the resource is missing (a broken build). */
    public static String number() {
        return VERSION;
    }

    /** The lines {@code --version} prints for a command: its name and version, then the Java runtime. */
    public static String[] lines(String command) {
        return new String[] {command + " " + VERSION + " (masque-relay)",
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
