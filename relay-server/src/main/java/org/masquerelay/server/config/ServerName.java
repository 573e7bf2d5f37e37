package org.masquerelay.server.config;

import java.io.IOException;
import java.net.InetAddress;

/** The name the relay gives itself in Proxy-Status headers and logs. */
final class ServerName {

    private ServerName() {
    }

    /** The machine's host name, or "masque-relay" when it cannot be found. */
    static String defaultName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && isValid(env)) {
            return env;
        }
        try {
            String name = InetAddress.getLocalHost().getHostName();
            if (isValid(name)) {
                return name;
            }
        } catch (IOException e) {
            // No resolvable host name (common in containers): fall through to a fixed name.
        }
        return "masque-relay";
    }

    /** Printable ASCII without spaces, quotes or commas, so it can go into a Proxy-Status header as it is. */
    static boolean isValid(String name) {
        return !name.isEmpty() && name.length() <= 255 && name.matches("[!#-+\\--~&&[^;=]]+");
    }

    static String check(String keyPath, String name) {
        if (!isValid(name)) {
            throw new ConfigException(keyPath, "'" + name + "' cannot be used as a server name (printable ASCII"
                    + " without spaces, quotes, commas, ';' or '=', at most 255 characters)");
        }
        return name;
    }
}
