package org.masquerelay.interop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two class histograms of the relay ({@code jcmd PID GC.class_histogram}) before and after opening N things: which
 * classes hold the heap each one costs. Written beside the results so that a figure like "heap per idle tunnel" comes
 * with what makes it up.
 */
final class HeapHistogram {
    /** "   1:   12345   678900  java.lang.String (java.base@25)" */
    private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

    private HeapHistogram() {}

    record Entry(String className, long instances, long bytes) {}

    static Map<String, Entry> parse(String histogram) {
        Map<String, Entry> byClass = new HashMap<>();
        for (String line : histogram.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                byClass.put(m.group(3), new Entry(m.group(3), Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
            }
        }
        return byClass;
    }

    /** The classes that grew most, per one of {@code count}, largest first; at most {@code top} of them. */
    static List<Entry> growth(Map<String, Entry> before, Map<String, Entry> after, int count, int top) {
        List<Entry> grown = new ArrayList<>();
        for (Entry a : after.values()) {
            Entry b = before.getOrDefault(a.className(), new Entry(a.className(), 0, 0));
            long bytes = a.bytes() - b.bytes();
            if (bytes > 0) {
                grown.add(new Entry(a.className(), (a.instances() - b.instances()), bytes));
            }
        }
        grown.sort((x, y) -> Long.compare(y.bytes(), x.bytes()));
        return grown.subList(0, Math.min(top, grown.size())).stream()
                .map(e -> new Entry(e.className(), Math.round((double) e.instances() / count), Math.round((double) e.bytes() / count)))
                .toList();
    }

    /** A small table: bytes and instances per one of {@code count}, by class. */
    static String describe(Path before, Path after, int count, String what) throws IOException {
        List<Entry> grown = growth(parse(Files.readString(before)), parse(Files.readString(after)), count, 12);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "heap per %s by class (of %,d; %s vs %s):%n",
                what, count, after.getFileName(), before.getFileName()));
        for (Entry e : grown) {
            sb.append(String.format(Locale.ROOT, "  %,8d B  %,5d objects  %s%n", e.bytes(), e.instances(), e.className()));
        }
        return sb.toString();
    }
}
