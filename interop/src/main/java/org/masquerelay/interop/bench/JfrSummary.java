package org.masquerelay.interop.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the relay's CPU time goes, from a JFR recording's execution samples: by layer (our code, Kwik, Flupke, the
 * JDK), with JDK frames charged to the first non-JDK caller (so AES-GCM that Kwik calls counts as Kwik's), and the
 * hottest methods by self time. Native samples (threads inside native code, mostly blocked in receive calls) are
 * listed apart: they are not CPU time.
 */
final class JfrSummary {
    private JfrSummary() {}

    static String layer(String className) {
        if (className.startsWith("org.masquerelay.")) {
            return "ours (org.masquerelay)";
        }
        if (className.startsWith("tech.kwik.flupke.") || className.startsWith("tech.kwik.qpack.")) {
            return "Flupke/QPACK (tech.kwik.flupke)";
        }
        if (className.startsWith("tech.kwik.agent15.")) {
            return "Kwik TLS (tech.kwik.agent15)";
        }
        if (className.startsWith("tech.kwik.")) {
            return "Kwik (tech.kwik.core)";
        }
        if (isJdk(className)) {
            return "JDK";
        }
        return "other libraries";
    }

    static boolean isJdk(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.");
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }

    static String summarize(Path jfr) throws IOException {
        Map<String, Integer> selfByLayer = new HashMap<>();
        Map<String, Integer> chargedByLayer = new HashMap<>();
        Map<String, Integer> selfMethods = new HashMap<>();
        Map<String, Integer> chargedTo = new HashMap<>();
        Map<String, Integer> byThread = new HashMap<>();
        Map<String, Integer> nativeTop = new HashMap<>();
        int samples = 0;
        int nativeSamples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            String type = e.getEventType().getName();
            boolean exec = type.equals("jdk.ExecutionSample");
            if (!exec && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = st.getFrames();
            if (!exec) {
                nativeSamples++;
                nativeTop.merge(name(frames.get(0)), 1, Integer::sum);
                continue;
            }
            samples++;
            RecordedFrame top = frames.get(0);
            String topClass = top.getMethod() == null ? "?" : top.getMethod().getType().getName();
            selfByLayer.merge(layer(topClass), 1, Integer::sum);
            selfMethods.merge(name(top), 1, Integer::sum);
            String charged = "JDK only (no library frame: carrier/scheduler, JIT-less JDK work)";
            String chargedFrame = null;
            for (RecordedFrame f : frames) {
                String c = f.getMethod() == null ? "?" : f.getMethod().getType().getName();
                if (!isJdk(c)) {
                    charged = layer(c);
                    chargedFrame = name(f);
                    break;
                }
            }
            chargedByLayer.merge(charged, 1, Integer::sum);
            if (chargedFrame != null) {
                chargedTo.merge(chargedFrame, 1, Integer::sum);
            }
            RecordedThread t = e.getThread("sampledThread");
            String tn = t == null ? "?" : t.getJavaName() == null ? t.getOSName() : t.getJavaName();
            byThread.merge(tn.replaceAll("[-#]?\\d+$", "-N").replaceAll("\\d+", "N"), 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d execution samples (CPU), %d native samples (threads in native code, mostly blocked)%n%n", samples, nativeSamples));
        if (samples == 0) {
            return sb.toString();
        }
        sb.append("CPU samples by layer, JDK frames charged to their first non-JDK caller:\n\n");
        table(sb, chargedByLayer, samples, 10);
        sb.append("\nCPU samples by layer of the top frame (self time):\n\n");
        table(sb, selfByLayer, samples, 10);
        sb.append("\nHottest methods, self time:\n\n");
        table(sb, selfMethods, samples, 20);
        sb.append("\nFirst non-JDK frame of each sample (who asked for the JDK work):\n\n");
        table(sb, chargedTo, samples, 15);
        sb.append("\nCPU samples by thread (numbers folded):\n\n");
        table(sb, byThread, samples, 10);
        sb.append("\nNative samples, top frame:\n\n");
        table(sb, nativeTop, Math.max(1, nativeSamples), 6);
        return sb.toString();
    }

    private static void table(StringBuilder sb, Map<String, Integer> counts, int total, int limit) {
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        for (Map.Entry<String, Integer> e : sorted.entrySet()) {
            sb.append(String.format(Locale.ROOT, "    %5.1f%%  %6d  %s%n", 100.0 * e.getValue() / total, e.getValue(), e.getKey()));
        }
    }
}
