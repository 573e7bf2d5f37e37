package org.masquerelay.display;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One log record, one line, for people: an optional timestamp with milliseconds and zone, the level as operators
 * name it (DEBUG, not FINE), addresses as {@link Addresses} writes them, and a stack trace only when asked for
 * (debug): otherwise the exception's message is enough, and the line stays one line.
 */
public final class LogFormat extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS xxx")
            .withZone(ZoneId.systemDefault());
    /** The JDK's socket-address text inside free text, e.g. "/127.0.0.1:42019" or "/[0:0:0:0:0:0:0:1]:4433". */
    private static final Pattern JDK_IPV4 = Pattern.compile("(?<![\\w.])/(\\d{1,3}(?:\\.\\d{1,3}){3}:\\d+)");
    private static final Pattern JDK_IPV6 = Pattern.compile("(?<![\\w.])/\\[([0-9a-fA-F:]+(?:%\\w+)?)]:(\\d+)");

    private final boolean timestamps;
    private final String prefix;
    private final boolean traces;

    /**
     * @param timestamps start each line with the time (a server's log), or not (a command's messages)
     * @param prefix     text before the level, e.g. "relay-client: "; may be empty
     * @param traces     print stack traces (debug); otherwise an exception adds only its message
     */
    public LogFormat(boolean timestamps, String prefix, boolean traces) {
        this.timestamps = timestamps;
        this.prefix = prefix;
        this.traces = traces;
    }

    /** DEBUG, INFO, WARN, ERROR (and TRACE below debug): the names operators use, not JUL's FINE and SEVERE. */
    public static String levelName(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.CONFIG.intValue()) {
            return "INFO";
        }
        return v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    @Override
    public String format(LogRecord record) {
        Object[] params = record.getParameters();
        if (params != null) {
            Object[] shown = params.clone();
            for (int i = 0; i < shown.length; i++) {
                if (shown[i] instanceof InetSocketAddress a) {
                    shown[i] = Addresses.format(a);
                } else if (shown[i] instanceof InetAddress a) {
                    shown[i] = Addresses.format(a);
                } else if (shown[i] instanceof Integer || shown[i] instanceof Long) {
                    shown[i] = shown[i].toString(); // ports and stream ids: 4433, not MessageFormat's "4,433"
                }
            }
            record.setParameters(shown);
        }
        StringBuilder line = new StringBuilder();
        if (timestamps) {
            line.append(TIME.format(record.getInstant())).append(' ');
        }
        line.append(prefix).append(String.format("%-5s", levelName(record.getLevel()))).append(' ')
                .append(tidy(formatMessage(record)));
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            if (traces) {
                StringWriter trace = new StringWriter();
                thrown.printStackTrace(new PrintWriter(trace));
                line.append(System.lineSeparator()).append(tidy(trace.toString().stripTrailing()));
            } else {
                String summary = summary(thrown);
                if (!line.toString().contains(summary)) {
                    line.append(" (").append(tidy(summary)).append(')');
                }
            }
        }
        return line.append(System.lineSeparator()).toString();
    }

    /** The innermost cause's message, or its type when it has none (e.g. a PortUnreachableException). */
    static String summary(Throwable e) {
        Throwable inner = e;
        while (inner.getCause() != null && inner.getCause() != inner) {
            inner = inner.getCause();
        }
        String m = inner.getMessage();
        return m == null || m.isBlank() ? inner.getClass().getSimpleName() : m;
    }

    /** Rewrites the JDK's socket-address text (from messages we do not build ourselves) the way people write it. */
    public static String tidy(String text) {
        if (text == null || text.indexOf('/') < 0) {
            return text;
        }
        String v4 = JDK_IPV4.matcher(text).replaceAll("$1");
        Matcher m = JDK_IPV6.matcher(v4);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String host = m.group(1);
            String shown = host;
            try {
                int scope = host.indexOf('%');
                shown = Addresses.format(InetAddress.getByName(scope < 0 ? host : host.substring(0, scope)));
            } catch (java.net.UnknownHostException | RuntimeException notAnAddress) {
                // Keep the text as it was.
            }
            m.appendReplacement(out, Matcher.quoteReplacement("[" + shown + "]:" + m.group(2)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
