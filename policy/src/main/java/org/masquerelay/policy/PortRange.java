package org.masquerelay.policy;

/**
 * An inclusive range of destination ports, {@code 443}, {@code 1-1024} or every port ({@code *} / {@code any}).
 *
 * @param from first port, 1..65535
 * @param to   last port, from..65535
 */
public record PortRange(int from, int to) {

    /** Every port. */
    public static final PortRange ANY = new PortRange(1, 65535);

    public PortRange {
        if (from < 1 || to > 65535 || from > to) {
            throw new IllegalArgumentException("port range " + from + "-" + to
                    + " is not valid (ports are 1..65535 and the first must not exceed the last)");
        }
    }

    public static PortRange single(int port) {
        return new PortRange(port, port);
    }

    /** Parses {@code 443}, {@code 1-1024}, {@code *} or {@code any}; surrounding spaces are ignored. */
    public static PortRange parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equals("*") || t.equalsIgnoreCase("any")) {
            return ANY;
        }
        int dash = t.indexOf('-');
        String first = dash < 0 ? t : t.substring(0, dash).trim();
        String last = dash < 0 ? t : t.substring(dash + 1).trim();
        int from = port(first, text);
        int to = port(last, text);
        if (from > to) {
            throw new IllegalArgumentException("'" + text + "' is not a port range (" + from + " is above " + to + ")");
        }
        return new PortRange(from, to);
    }

    private static int port(String digits, String whole) {
        if (!digits.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("'" + whole
                    + "' is not a port or port range (expected e.g. 443, 1-1024, * or any)");
        }
        int p = Integer.parseInt(digits);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("'" + whole + "' is not a port range (ports are 1..65535, got " + p + ")");
        }
        return p;
    }

    public boolean contains(int port) {
        return port >= from && port <= to;
    }

    public boolean isAny() {
        return from == 1 && to == 65535;
    }

    @Override
    public String toString() {
        return isAny() ? "*" : from == to ? Integer.toString(from) : from + "-" + to;
    }
}
