package org.masquerelay.server.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}. */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)");

    private Durations() {
    }

    static Duration parse(String keyPath, Object value) {
        String text = value == null ? "" : value.toString().trim();
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            String hint = text.matches("\\d+") ? " (add a unit: ms, s, m or h, e.g. '" + text + "s')"
                    : " (e.g. 250ms, 10s, 5m, 1h)";
            throw new ConfigException(keyPath, "'" + text + "' is not a duration" + hint);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero()) {
            throw new ConfigException(keyPath, "must be longer than zero, got '" + text + "'");
        }
        return d;
    }

    /** The shortest exact form: 250ms, 10s, 5m. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
