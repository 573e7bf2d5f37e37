package org.masquerelay.engine.kwik;

import org.masquerelay.engine.H3Connection;
import org.masquerelay.wire.ControlStreamReader;
import org.masquerelay.wire.Frame;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.H3StreamException;
import tech.kwik.core.ConnectionEstablishedEvent;
import tech.kwik.core.ConnectionListener;
import tech.kwik.core.ConnectionTerminatedEvent;
import tech.kwik.core.QuicConnection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link H3Connection} over a Kwik {@link QuicConnection}, shared by the server and client sides: datagrams, peer
 * SETTINGS, close notification.
 */
class KwikConnection implements H3Connection {
    /** Datagrams kept while no receiver is set: a client may send them right behind its request. */
    private static final int EARLY_DATAGRAM_LIMIT = 64;
    /** No real SETTINGS, GOAWAY or PRIORITY_UPDATE frame comes near this. */
    private static final int MAX_CONTROL_FRAME = 4096;
    /** A reserved (GREASE) frame type 0x21 with an empty payload. */
    private static final byte[] WAKE_UP_FRAME = {0x21, 0x00};

    protected final QuicConnection quic;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final Map<Long, Long> peerSettings = new ConcurrentHashMap<>();
    private final CountDownLatch peerSettingsReceived = new CountDownLatch(1);
    private final List<Consumer<String>> closeListeners = new CopyOnWriteArrayList<>();
    // One virtual thread delivers datagrams in arrival order (Kwik submits each to this executor).
    private final ExecutorService datagramExecutor = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("h3-datagrams").factory());
    private final Queue<byte[]> earlyDatagrams = new ArrayDeque<>();
    private volatile Consumer<byte[]> datagramReceiver;
    private volatile String closeReason;
    private volatile OutputStream controlStream;
    /**
     * Datagrams we let wait in Kwik's send queue: 32 full packets, about 40 KB (a few ms at the rates Kwik reaches).
     * Within that window Kwik's LIFO order can still reorder; beyond it we drop, like a full router queue.
     */
    private static final int MAX_QUEUED_DATAGRAMS = 32;
    private final Object datagramBudgetLock = new Object();
    private long datagramsQueued;
    private long packetsSentSeen;

    KwikConnection(QuicConnection quic, InetSocketAddress local, InetSocketAddress remote) {
        this.quic = quic;
        this.local = local;
        this.remote = remote;
        quic.setDatagramHandler(this::datagramReceived, datagramExecutor);
        quic.setConnectionListener(new ConnectionListener() {
            @Override
            public void connected(ConnectionEstablishedEvent event) {
                KwikConnection.this.connected(event);
            }

            @Override
            public void disconnected(ConnectionTerminatedEvent event) {
                closed(describe(event));
            }
        });
    }

    /** Our control stream, which is never closed: writing to it wakes Kwik's sender (see SendKicker). */
    void controlStreamOpened(OutputStream out) {
        controlStream = out;
    }

    /**
     * Makes Kwik's sender run now, to send what {@link SendKicker} queued: a frame of a reserved type (0x21, empty)
     * on our control stream, which the peer ignores (RFC 9114 §7.2.8, §9). Two bytes per wake-up, at most one per
     * kick period per connection, and only while a stream of it has written in the last two seconds.
     */
    void wakeSender() {
        try {
            writeControl(WAKE_UP_FRAME);
        } catch (IOException e) {
            // The connection is closing.
        }
    }

    /** Writes whole frames on our control stream, one writer at a time. */
    void writeControl(byte[] frames) throws IOException {
        OutputStream out = controlStream;
        if (out == null) {
            throw new IOException("the control stream is not open yet");
        }
        synchronized (out) {
            out.write(frames);
        }
    }

    /** The handshake completed after this object was made (only seen for connections started by 0-RTT). */
    void connected(ConnectionEstablishedEvent event) {
    }

    private static String describe(ConnectionTerminatedEvent event) {
        StringBuilder sb = new StringBuilder(event.closeReason().toString());
        if (event.closedByPeer()) {
            sb.append(" by peer");
        }
        if (event.hasApplicationError()) {
            sb.append(", ").append(H3.errorName(event.applicationErrorCode()));
        } else if (event.hasTransportError()) {
            sb.append(", transport error ").append(event.transportErrorCode());
        }
        if (event.errorDescription() != null) {
            sb.append(": ").append(event.errorDescription());
        }
        return sb.toString();
    }

    void closed(String reason) {
        synchronized (this) {
            if (closeReason != null) {
                return;
            }
            closeReason = reason;
        }
        datagramExecutor.shutdownNow();
        for (Consumer<String> listener : closeListeners) {
            try {
                listener.accept(reason);
            } catch (RuntimeException e) {
                System.getLogger(KwikConnection.class.getName()).log(System.Logger.Level.WARNING, "close listener failed", e);
            }
        }
    }

    private void datagramReceived(byte[] datagram) {
        Consumer<byte[]> receiver = datagramReceiver;
        if (receiver == null) {
            synchronized (earlyDatagrams) {
                receiver = datagramReceiver;
                if (receiver == null) {
                    if (earlyDatagrams.size() < EARLY_DATAGRAM_LIMIT) {
                        earlyDatagrams.add(datagram);
                    }
                    return;
                }
            }
        }
        receiver.accept(datagram);
    }

    @Override
    public void setDatagramReceiver(Consumer<byte[]> receiver) {
        synchronized (earlyDatagrams) {
            byte[] early;
            while ((early = earlyDatagrams.poll()) != null) {
                receiver.accept(early);
            }
            datagramReceiver = receiver;
        }
    }

    /**
     * Reads the peer's control stream (after its type) for as long as the connection lives: SETTINGS are kept for
     * {@link #datagramsEnabled()}; GOAWAY, PRIORITY_UPDATE, reserved and unknown frames are skipped (RFC 9114 §9).
     * A malformed control stream, or its end, closes the connection as RFC 9114 §6.2.1 requires.
     */
    void readControlStream(InputStream in) {
        ControlStreamReader reader = new ControlStreamReader(in, MAX_CONTROL_FRAME);
        try {
            Frame settings = reader.readFrame();
            Map<Long, Long> peer = FrameWriter.parseSettings(settings.payload());
            // HTTP/2-only ids are a connection error in RFC 9114 §7.2.4.1; tolerated, as a sloppy peer's tunnels
            // are worth more than the rule.
            peerSettingsReceived(peer);
            while (true) {
                reader.readFrame();
            }
        } catch (H3StreamException e) {
            if (isOpen()) {
                System.getLogger(KwikConnection.class.getName()).log(System.Logger.Level.DEBUG,
                        "{0}: control stream error: {1}", remote, e.getMessage());
                close(e.errorCode(), e.getMessage());
            }
        } catch (IOException e) {
            // The connection went away under the reader.
        }
    }

    void peerSettingsReceived(Map<Long, Long> settings) {
        peerSettings.putAll(settings);
        peerSettingsReceived.countDown();
    }

    Map<Long, Long> peerSettings(long waitMillis) {
        try {
            peerSettingsReceived.await(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Map.copyOf(peerSettings);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public boolean datagramsEnabled() {
        if (!quic.isDatagramExtensionEnabled()) {
            return false;
        }
        // Before the peer's SETTINGS arrive, the transport parameter is all we know; afterwards the setting decides.
        return peerSettingsReceived.getCount() > 0 || peerSettings.getOrDefault(H3.SETTINGS_H3_DATAGRAM, 0L) == 1L;
    }

    @Override
    public int maxDatagramSize() {
        return quic.isDatagramExtensionEnabled() ? quic.maxDatagramDataSize() : 0;
    }

    @Override
    public boolean sendDatagram(byte[] datagram) {
        if (closeReason != null || !quic.isDatagramExtensionEnabled() || datagram.length > quic.maxDatagramDataSize()) {
            return false;
        }
        synchronized (datagramBudgetLock) {
            // Kwik queues datagrams without bound and in front of everything else, newest first (addFirst). A burst
            // faster than the congestion window builds a backlog that is sent LIFO and starves every stream of the
            // connection for seconds (docs/benchmark.md, "datagram collapse"). Kwik sends from the front of its
            // queue, so each packet it sends takes one of ours first: estimate how many are still queued from its
            // packet counter and drop (UDP semantics) instead of queueing more than a few packets' worth.
            long sent = quic.getStats().packetsSent();
            datagramsQueued = Math.max(0, datagramsQueued - (sent - packetsSentSeen));
            packetsSentSeen = sent;
            if (datagramsQueued >= MAX_QUEUED_DATAGRAMS) {
                return false;
            }
            try {
                quic.sendDatagram(datagram);
                datagramsQueued++;
                return true;
            } catch (RuntimeException e) {
                // Kwik throws when the connection is closing or the extension is not (or no longer) enabled.
                return false;
            }
        }
    }

    @Override
    public void onClose(Consumer<String> listener) {
        closeListeners.add(listener);
        String reason = closeReason;
        if (reason != null) {
            listener.accept(reason);
        }
    }

    @Override
    public void close(long h3ErrorCode, String reason) {
        quic.close(h3ErrorCode, reason);
        closed("closed locally: " + reason);
    }

    @Override
    public boolean isOpen() {
        return closeReason == null;
    }
}
