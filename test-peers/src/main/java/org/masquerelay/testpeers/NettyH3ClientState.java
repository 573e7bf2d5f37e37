package org.masquerelay.testpeers;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** What the connection-level handlers learn, shared with them before the connection exists. */
final class NettyH3ClientState {
    final CompletableFuture<List<Map.Entry<Long, Long>>> peerSettings = new CompletableFuture<>();
    final List<NettyH3Client.Frame> peerControlFrames = new CopyOnWriteArrayList<>();
    final List<Long> peerUniStreamTypes = new CopyOnWriteArrayList<>();
    final Map<Long, Tunnel> tunnels = new ConcurrentHashMap<>();
    final AtomicInteger unroutedDatagrams = new AtomicInteger();
    volatile int datagramMaxLength = -1;
    volatile NettyH3Client.ConnectionClose close;
}

