package org.masquerelay.interop.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/** The machine, JVM and stacks a benchmark ran on, and its load, for the results' header. */
final class MachineFacts {
    private MachineFacts() {}

    static void record(Map<String, String> f, BenchConfig cfg) {
        Runtime rt = Runtime.getRuntime();
        f.put("cores", String.valueOf(rt.availableProcessors()));
        f.put("cpu", firstLine("/proc/cpuinfo", "model name").replaceFirst("^model name\\s*:\\s*", ""));
        f.put("memory", String.format(Locale.ROOT, "%.1f GiB",
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() / (double) (1L << 30)));
        f.put("os", firstLine("/etc/os-release", "PRETTY_NAME").replaceFirst("^PRETTY_NAME=", "").replace("\"", "")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        f.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")");
        f.put("relay jvm", String.join(" ", RelayProcess.JVM_OPTIONS) + ", GC " + gcName() + ", own process");
        f.put("relay engines", String.join(", ", cfg.engines()) + " (rows of the 2nd engine are marked)");
        f.put("stacks", jarVersion("kwik-") + ", " + jarVersion("flupke-") + ", " + jarVersion("netty-codec-http3-")
                + ", " + jarVersion("netty-codec-native-quic-"));
        f.put("load before", loadAverage());
        f.put("date", Instant.now().toString());
        f.put("mode", cfg.quick() ? "quick (smoke sizes, 1 run: not a measurement)" : cfg.runs() + " runs per figure");
    }

    private static String gcName() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().map(g -> g.getName()).findFirst().orElse("?")
                .replaceFirst(" .*", "");
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min)";
        } catch (IOException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static String firstLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(prefix)).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String jarVersion(String prefix) {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith(prefix) && name.endsWith(".jar") && Character.isDigit(name.charAt(prefix.length()))) {
                return name.substring(0, name.length() - 4).replaceFirst("-(linux|osx|windows)-.*$", "");
            }
        }
        return prefix + "?";
    }
}
