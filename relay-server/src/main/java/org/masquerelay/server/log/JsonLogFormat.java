package org.masquerelay.server.log;

import org.masquerelay.display.LogFormat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * {@code log.format: json}: one JSON object per line and event, for log pipelines. Every object has {@code time}
 * (ISO 8601, UTC, milliseconds), {@code level} (DEBUG, INFO, WARN, ERROR), {@code logger} and {@code message} (the
 * text line's message); a {@link LogEvent} parameter adds its fields (tunnel events: {@code event}, {@code kind},
 * {@code client}, {@code stream}, {@code target}, {@code address}, {@code status}, {@code error}, {@code bytes_up},
 * {@code bytes_down}, {@code duration_ms}, {@code outcome}, ...); an exception adds {@code exception} (its message)
 * and, at debug level, {@code stack}.
 */
public final class JsonLogFormat extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;
    private final LogFormat text = new LogFormat(false, "", false);
    private final boolean traces;

    /** @param traces add stack traces (debug level) */
    public JsonLogFormat(boolean traces) {
        this.traces = traces;
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder json = new StringBuilder(256).append('{');
        field(json, "time", TIME.format(record.getInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
        field(json, "level", LogFormat.levelName(record.getLevel()));
        field(json, "logger", record.getLoggerName());
        Object[] params = record.getParameters();
        // The message as the text log writes it (addresses tidied, no level or time), then the event's own fields.
        String line = text.format(record).stripTrailing();
        field(json, "message", line.substring(line.indexOf(' ') + 1).stripLeading());
        if (params != null) {
            for (Object p : params) {
                if (p instanceof LogEvent event) {
                    event.fields().forEach((k, v) -> field(json, k, v));
                }
            }
        }
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            field(json, "exception", String.valueOf(thrown));
            if (traces) {
                StringWriter trace = new StringWriter();
                thrown.printStackTrace(new PrintWriter(trace));
                field(json, "stack", trace.toString());
            }
        }
        return json.append('}').append(System.lineSeparator()).toString();
    }

    private static void field(StringBuilder json, String name, Object value) {
        if (value == null) {
            return;
        }
        if (json.length() > 1) {
            json.append(',');
        }
        string(json, name);
        json.append(':');
        if (value instanceof Number n && !(value instanceof Double d && (d.isNaN() || d.isInfinite()))) {
            json.append(n);
        } else if (value instanceof Boolean b) {
            json.append(b);
        } else if (value instanceof InetSocketAddress a) {
            string(json, org.masquerelay.display.Addresses.format(a));
        } else if (value instanceof InetAddress a) {
            string(json, org.masquerelay.display.Addresses.format(a));
        } else {
            string(json, value.toString());
        }
    }

    /** A JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped. */
    static void string(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** An event as a map with its fields in order, for {@link LogEvent#fields()}. */
    public static Map<String, Object> ordered(Object... nameValue) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            if (nameValue[i + 1] != null) {
                out.put((String) nameValue[i], nameValue[i + 1]);
            }
        }
        return out;
    }
}
