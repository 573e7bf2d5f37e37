package org.masquerelay.server.config;

import java.util.Arrays;
import java.util.Locale;

/** How log lines are written ({@code log.format}): text for people, JSON (one object per event) for log pipelines. */
public enum LogEncoding {
    TEXT, JSON;

    /** Case-insensitive; the error lists the accepted values. */
    public static LogEncoding parse(String keyPath, String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(keyPath, "'" + text + "' is not a log format (one of "
                    + String.join(", ", Arrays.stream(values()).map(LogEncoding::configName).toList()) + ")");
        }
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
