package org.masquerelay.server.config;

import java.util.Arrays;
import java.util.Locale;

/** How much the relay logs. */
public enum LogLevel {
    ERROR, WARN, INFO, DEBUG;

    /** Case-insensitive; the error lists the accepted values. */
    public static LogLevel parse(String keyPath, String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(keyPath, "'" + text + "' is not a log level (one of "
                    + String.join(", ", Arrays.stream(values()).map(LogLevel::configName).toList()) + ")");
        }
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
