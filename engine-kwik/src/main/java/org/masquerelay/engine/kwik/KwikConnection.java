package org.masquerelay.engine.kwik;

import org.masquerelay.engine.h3.H3ConnectionBase;
import org.masquerelay.wire.H3;
import tech.kwik.core.ConnectionEstablishedEvent;
import tech.kwik.core.ConnectionListener;
import tech.kwik.core.ConnectionTerminatedEvent;
import tech.kwik.core.QuicConnection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * {@link HttpConnection} over a Kwik {@link QuicConnection}, shared by the server and client sides: datagrams, peer
 * SETTINGS, close notification.
 */
class KwikConnection extends H3ConnectionBase {
    /** A reserved (GREASE) frame type 0x21 with an empty payload. */
    private static final byte[] WAKE_UP_FRAME = {0x21, 0x00};

    protected final QuicConnection quic;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private volatile OutputStream controlStream;
    /**
     * Datagrams we let wait in Kwik's send queue: 32 full packets, about 40 KB (a few ms at the rates Kwik reaches).
     * Within that window Kwik's LIFO order can still reorder; beyond it we drop, like a full router queue.
     */
    private static final int MAX_QUEUED_DATAGRAMS = 32;
    private final Object datagramBudgetLock = new Object();
    private long datagramsQueued;
    private long packetsSentSeen;

    KwikConnection(QuicConnection quic, InetSocketAddress local, InetSocketAddress remote, int pendingDatagrams) {
        super(pendingDatagrams);
        this.quic = quic;
        this.local = local;
        this.remote = remote;
        quic.setDatagramHandler(this::datagramReceived, datagramExecutor());
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
        controlStreamReady();
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

    @Override
    public void keepAlive() {
        wakeSender(); // the same two ignored bytes: what matters is that they are ack-eliciting
    }

    /** Writes whole frames on our control stream, one writer at a time. */
    @Override
    protected void writeControl(byte[] frames) throws IOException {
        OutputStream out = controlStream;
        if (out == null) {
            throw new IOException("the control stream is not open yet");
        }
        synchronized (out) {
            out.write(frames);
        }
    }

    /** The peer's control stream, handed over by Flupke's stream dispatch. */
    void controlStreamOpenedByPeer(InputStream in) {
        readControlStream(in);
    }

    /** The connection never got going (the client's connect() failed). */
    void failed(String reason) {
        closed(reason);
    }

    /** The handshake completed after this object was made (only seen for connections started by 0-RTT). */
    void connected(ConnectionEstablishedEvent event) {
    }

    private static String describe(ConnectionTerminatedEvent event) {
        // Kwik's names read as a crash in a log line; an idle timer that fired with packets still unacknowledged is
        // ConnectionLost, one that fired on a quiet connection IdleTimeout: both are the idle timeout.
        StringBuilder sb = new StringBuilder(switch (event.closeReason()) {
            case IdleTimeout -> "idle timeout";
            case ConnectionLost -> "idle timeout (the client stopped answering)";
            case ImmediateClose -> "closed";
            case StatelessReset -> "stateless reset";
        });
        if (event.closedByPeer()) {
            sb.append(" by peer");
        }
        if (event.hasApplicationError()) {
            sb.append(", ").append(H3.errorName(event.applicationErrorCode()));
        } else if (event.hasTransportError() && event.transportErrorCode() != 0) {
            sb.append(", transport error ").append(event.transportErrorCode());
        }
        if (event.errorDescription() != null && !event.errorDescription().equals("No error")) {
            sb.append(": ").append(event.errorDescription());
        }
        return sb.toString();
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
        return settingsAllowDatagrams();
    }

    @Override
    public int maxDatagramSize() {
        return quic.isDatagramExtensionEnabled() ? quic.maxDatagramDataSize() : 0;
    }

    @Override
    protected boolean sendQuicDatagram(byte[] datagram) {
        if (!isOpen() || !quic.isDatagramExtensionEnabled() || datagram.length > quic.maxDatagramDataSize()) {
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
    public void close(long h3ErrorCode, String reason) {
        quic.close(h3ErrorCode, reason);
        closed("closed locally: " + reason);
    }

}
