package org.masquerelay.server;

import org.masquerelay.server.config.ClientLimits;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The relay-wide limits that follow from the machine when the configuration leaves them at 0: how many unfinished
 * requests the heap can hold (a quarter of it, each a header section's worth) and how many tunnels the heap and the
 * open-file limit allow (each tunnel holds a socket, and about 100 KiB with its buffers; half the heap for tunnels),
 * with descriptors kept back for the listeners, an admin port, logs and the JVM's own files.
 *
 * @param heap               the JVM's maximum heap, bytes
 * @param openFiles          the process's open-file limit (RLIMIT_NOFILE, soft), or -1 when the JVM cannot tell
 * @param reservedFiles      descriptors never handed to tunnels
 * @param unfinishedRequests relay-wide cap on request streams whose header section has not arrived
 * @param maxTunnels         relay-wide cap on open tunnels
 */
record ResourceBudget(long heap, long openFiles, long reservedFiles, int unfinishedRequests, int maxTunnels) {
    /** Heap a tunnel may cost: socket buffers, the splice's buffers, its stream state (measured: 45-100 KiB). */
    static final long TUNNEL_HEAP = 100 * 1024;
    /** Heap an unfinished request may cost on top of its header section (stream and reader state). */
    static final long REQUEST_OVERHEAD = 4 * 1024;
    /** Descriptors for listeners, the admin port, the JVM's jars and logs, DNS and the engines' own (epoll, pipes). */
    static final long MIN_RESERVED_FILES = 256;

    static ResourceBudget of(ClientLimits limits, int maxFieldSectionSize) {
        return of(limits, maxFieldSectionSize, Runtime.getRuntime().maxMemory(), openFileLimit());
    }

    static ResourceBudget of(ClientLimits limits, int maxFieldSectionSize, long heap, long openFiles) {
        long reserved = openFiles > 0 ? Math.max(MIN_RESERVED_FILES, openFiles / 20) : MIN_RESERVED_FILES;
        int unfinished = limits.unfinishedRequests() > 0 ? limits.unfinishedRequests()
                : clamp(heap / 4 / (maxFieldSectionSize + REQUEST_OVERHEAD), 64, 1_000_000);
        long byHeap = heap / 2 / TUNNEL_HEAP;
        long byFiles = openFiles > 0 ? openFiles - reserved : Long.MAX_VALUE;
        int tunnels = limits.maxTunnels() > 0 ? limits.maxTunnels() : clamp(Math.min(byHeap, byFiles), 16, 10_000_000);
        return new ResourceBudget(heap, openFiles, reserved, unfinished, tunnels);
    }

    /** RLIMIT_NOFILE as the JVM sees it (the soft limit), or -1 where the platform does not say. */
    static long openFileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** Whether a configured tunnel cap can run out of descriptors before it is reached. */
    boolean tunnelsExceedFiles() {
        return openFiles > 0 && maxTunnels > openFiles - reservedFiles;
    }

    private static int clamp(long value, int min, int max) {
        return (int) Math.max(min, Math.min(max, value));
    }

    /** For the start-up log. */
    String describe() {
        return String.format("at most %,d tunnels and %,d unfinished requests (heap %,d MiB, open-file limit %s, %,d"
                + " descriptors reserved)", maxTunnels, unfinishedRequests, heap >> 20,
                openFiles > 0 ? String.format("%,d", openFiles) : "unknown", reservedFiles);
    }
}
